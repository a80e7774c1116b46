import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allowedMethods, API_ROUTES, HTTP_METHODS, matchApiRoute } from "@/lib/server/api-routes";

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** Every app/api route file with the methods it exports, read from the source. */
function routeFiles(): Array<{ path: string; methods: string[] }> {
  const found: Array<{ path: string; methods: string[] }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const source = readFileSync(full, "utf8");
        const methods = new Set<string>();
        for (const m of source.matchAll(/export\s+(?:const|async function|function)\s+([A-Z]+)\b/g)) methods.add(m[1]!);
        for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) for (const n of m[1]!.matchAll(/as\s+([A-Z]+)\b/g)) methods.add(n[1]!);
        const route = "/" + path.relative(ROOT, path.dirname(full)).split(path.sep).join("/");
        found.push({
          path: route.replace(/^\/app/, ""),
          methods: [...methods].filter((x) => (HTTP_METHODS as readonly string[]).includes(x)).sort(),
        });
      }
    }
  };
  walk(path.join(ROOT, "app", "api"));
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

describe("API_ROUTES", () => {
  it("lists exactly the route files of app/api and the methods they export", () => {
    const declared = API_ROUTES.map((r) => ({ path: r.path, methods: [...r.methods].sort() })).sort((a, b) => a.path.localeCompare(b.path));
    expect(declared).toEqual(routeFiles());
  });

  it("matches segments as Next does: [x] one, [...x] one or more, nothing else", () => {
    expect(matchApiRoute(["api", "v1", "sql"])?.path).toBe("/api/v1/sql");
    expect(matchApiRoute(["api", "v1", "queries", "q1", "results"])?.path).toBe("/api/v1/queries/[id]/results");
    expect(matchApiRoute(["api", "auth", "callback", "credentials", "x"])?.path).toBe("/api/auth/[...nextauth]");
    expect(matchApiRoute(["api", "auth"])).toBeNull();
    expect(matchApiRoute(["api", "v1", "queries", "q1", "results", "x"])).toBeNull();
    expect(matchApiRoute(["api", "nope"])).toBeNull();
  });

  it("allows what Next allows: the exports, HEAD with GET, OPTIONS", () => {
    expect(allowedMethods({ path: "/x", methods: ["POST"] })).toEqual(["OPTIONS", "POST"]);
    expect(allowedMethods({ path: "/x", methods: ["GET", "POST"] })).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
  });
});
