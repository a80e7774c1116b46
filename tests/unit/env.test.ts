import { describe, expect, it } from "vitest";
import { DEV_SECRET_PREFIX, EnvError, parseEnv } from "@/lib/env";

const productionBase = {
  NODE_ENV: "production",
  DATABASE_URL: "postgres://owner:s3cret-owner-pass@db.internal:5432/sluice",
  REDIS_URL: "redis://cache.internal:6379",
  DB_READONLY_PASSWORD: "a-real-password-1",
  DB_APP_PASSWORD: "a-real-password-2",
  DB_ADMIN_PASSWORD: "a-real-password-3",
  AUTH_SECRET: "x".repeat(40),
};

function problems(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems;
  }
}

describe("parseEnv", () => {
  it("applies the documented defaults in development", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      DATA_SCHEMAS: ["data"],
      DB_POOL_SIZE: 10,
      DB_POOL_MIN: 2,
      DB_POOL_MAX_WAITING: 10,
      DB_POOL_ACQUIRE_TIMEOUT_MS: 5000,
      DB_POOL_MAX_IDLE_S: 300,
      DB_RECONNECT_TIMEOUT_S: 60,
      DB_POOL_MODE: "pooled",
      DB_READONLY_USER: "readonly_user",
    });
  });

  it("accepts a complete production configuration", () => {
    expect(parseEnv(productionBase).NODE_ENV).toBe("production");
  });

  it("lists every problem at once", () => {
    const found = problems({ DB_POOL_SIZE: "zero", DB_POOL_MODE: "sometimes", DATABASE_URL: "mysql://x", DATA_SCHEMAS: "Bad-Name" });
    expect(found.length).toBe(4);
    expect(found.join("\n")).toMatch(/DB_POOL_SIZE/);
    expect(found.join("\n")).toMatch(/DB_POOL_MODE/);
    expect(found.join("\n")).toMatch(/DATABASE_URL/);
    expect(found.join("\n")).toMatch(/DATA_SCHEMAS/);
  });

  it("requires secrets and a database in production", () => {
    const found = problems({ NODE_ENV: "production" });
    for (const key of ["DATABASE_URL", "REDIS_URL", "DB_READONLY_PASSWORD", "DB_APP_PASSWORD", "DB_ADMIN_PASSWORD", "AUTH_SECRET"]) {
      expect(found.some((p) => p.startsWith(key))).toBe(true);
    }
  });

  it("refuses development-generated secrets in production", () => {
    const found = problems({
      ...productionBase,
      DB_APP_PASSWORD: `${DEV_SECRET_PREFIX}abcdefghijklmnop`,
      AUTH_SECRET: DEV_SECRET_PREFIX + "y".repeat(40),
    });
    expect(found).toHaveLength(2);
    expect(found.join("\n")).toMatch(/development-generated/);
  });

  it("says a development URL is one, rather than calling it a secret", () => {
    const found = problems({ ...productionBase, DATABASE_URL: `postgres://postgres:${DEV_SECRET_PREFIX}abc@127.0.0.1:54329/postgres` });
    expect(found).toEqual([expect.stringMatching(/^DATABASE_URL: this URL was generated for development/)]);
    expect(found[0]).not.toMatch(/secret/);
  });

  it("lets npm run dev listen on this machine only unless HOST asks for more", async () => {
    const { nextDevArgs } = await import("@/scripts/lib/next-dev-args");
    expect(nextDevArgs(parseEnv({}))).toEqual(["dev", "--port", "3000", "--hostname", "127.0.0.1"]);
    expect(nextDevArgs(parseEnv({ HOST: "0.0.0.0", PORT: "4000" }))).toEqual(["dev", "--port", "4000", "--hostname", "0.0.0.0"]);
  });

  it("reads per-role pool sizes and a comma-separated schema list", () => {
    const env = parseEnv({ DB_POOL_SIZE_READONLY: "25", DATA_SCHEMAS: "sales, ops" });
    expect(env.DB_POOL_SIZE_READONLY).toBe(25);
    expect(env.DATA_SCHEMAS).toEqual(["sales", "ops"]);
  });
});
