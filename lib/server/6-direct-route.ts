import "server-only";
import { NextRequest } from "next/server";
import { directRoutes, type DirectHandler } from "@/lib/server/4-direct-api";

/**
 * A route handler offers its GET/HEAD to the direct API path (lib/server/4-direct-api.ts) from
 * its route file, which Next loads on the route's first request. `prefix` is the route's path up
 * to its one dynamic segment, named `param` — `/api/v1/tables/[table]` is
 * `serveDirectly("/api/v1/tables/", "table", { GET, HEAD })`. The handler gets the NextRequest
 * and the params promise Next would give it.
 */
type RouteHandler = (request: NextRequest, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

export function serveDirectly(prefix: string, param: string, handlers: Partial<Record<"GET" | "HEAD", RouteHandler>>): void {
  const direct: Partial<Record<"GET" | "HEAD", DirectHandler>> = {};
  for (const [method, handler] of Object.entries(handlers) as Array<["GET" | "HEAD", RouteHandler]>) {
    direct[method] = (request, params) => handler(new NextRequest(request), { params: Promise.resolve(params) });
  }
  directRoutes().set(prefix, { param, handlers: direct });
}
