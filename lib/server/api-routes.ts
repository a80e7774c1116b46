import "server-only";

/**
 * The API's routes and the methods each one exports, as `app/api/**\/route.ts` defines them —
 * so that a path nothing serves is a 404 and a method a route does not have is a 405 with
 * `Allow`, in the one error shape, before Next (whose answers are an HTML page and an empty 405).
 * tests/unit/server/api-routes.test.ts reads the route files and fails when this list and
 * they disagree: a new route, or a new method on one, must be added here.
 */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface ApiRoute {
  /** Next's route template: `[x]` one segment, `[...x]` one or more. */
  path: string;
  /** The methods the route file exports (HEAD and OPTIONS are added as Next adds them). */
  methods: readonly HttpMethod[];
}

export const API_ROUTES: readonly ApiRoute[] = [
  { path: "/api/admin/queries", methods: ["GET"] },
  { path: "/api/admin/stats", methods: ["GET"] },
  { path: "/api/admin/users", methods: ["GET"] },
  { path: "/api/admin/users/[id]", methods: ["PATCH"] },
  { path: "/api/auth/[...nextauth]", methods: ["GET", "POST"] },
  { path: "/api/bench/bare", methods: ["GET"] },
  { path: "/api/bench/profile", methods: ["POST"] },
  { path: "/api/health", methods: ["GET"] },
  { path: "/api/health/ready", methods: ["GET"] },
  { path: "/api/metrics", methods: ["GET"] },
  { path: "/api/v1/me", methods: ["GET"] },
  { path: "/api/v1/openapi.json", methods: ["GET"] },
  { path: "/api/v1/queries", methods: ["GET"] },
  { path: "/api/v1/queries/[id]", methods: ["GET"] },
  { path: "/api/v1/queries/[id]/results", methods: ["GET", "POST"] },
  { path: "/api/v1/sql", methods: ["POST"] },
  { path: "/api/v1/tables", methods: ["GET"] },
  // The write verbs are exported to answer them in the shape: 405, read-only (lib/explore/read-only.ts).
  { path: "/api/v1/tables/[table]", methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] },
  { path: "/api/v1/tables/rpc/[...fn]", methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] },
];

/** The route that serves these (decoded, non-empty) path segments, if any. */
export function matchApiRoute(segments: readonly string[], routes: readonly ApiRoute[] = API_ROUTES): ApiRoute | null {
  return routes.find((route) => matches(route.path.split("/").filter(Boolean), segments)) ?? null;
}

function matches(template: readonly string[], segments: readonly string[]): boolean {
  for (let i = 0; i < template.length; i++) {
    const part = template[i]!;
    if (part.startsWith("[...")) return segments.length > i;
    if (i >= segments.length) return false;
    if (!part.startsWith("[") && part !== segments[i]) return false;
  }
  return template.length === segments.length;
}

/** What Next answers for a route: its methods, HEAD where there is GET, and OPTIONS (RFC 9110's Allow). */
export function allowedMethods(route: ApiRoute): HttpMethod[] {
  const allowed = new Set<HttpMethod>([...route.methods, "OPTIONS"]);
  if (allowed.has("GET")) allowed.add("HEAD");
  return [...allowed].sort();
}
