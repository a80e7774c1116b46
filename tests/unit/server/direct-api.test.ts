import { describe, expect, it } from "vitest";
import { acceptsGzip, directRouteFor, type DirectRoute } from "@/lib/server/4-direct-api";

const handler = async () => new Response("ok");
const routes = new Map<string, DirectRoute>([["/api/v1/tables/", { param: "table", handlers: { GET: handler, HEAD: handler } }]]);
const token = { authorization: "Bearer slc_x", host: "127.0.0.1:3000" };
const take = (method: string, url: string, headers: Record<string, string> = token, path = url.split("?")[0]!) =>
  directRouteFor({ method, url, headers }, path, routes);

describe("directRouteFor", () => {
  it("takes a token's GET or HEAD of one table, with the segment as the param (control)", () => {
    expect(take("GET", "/api/v1/tables/data.orders?id=eq.5")).toEqual({ handler, params: { table: "data.orders" } });
    expect(take("HEAD", "/api/v1/tables/orders")?.params).toEqual({ table: "orders" });
  });

  it("leaves to Next what it cannot answer exactly as Next would", () => {
    expect(take("POST", "/api/v1/tables/data.orders")).toBeNull();
    expect(take("GET", "/api/v1/tables/data.orders", { host: "x" })).toBeNull(); // no Authorization
    expect(take("GET", "/api/v1/tables/data.orders", { ...token, cookie: "a=1" })).toBeNull(); // a session could be there
    expect(take("GET", "/api/v1/tables/data%2Eorders")).toBeNull(); // an escape for Next to decode
    expect(take("GET", "/api/v1/tables/x/../data.orders", token, "/api/v1/data.orders")).toBeNull(); // a path Next resolves
    expect(take("GET", "/api/v1/tables/data.orders/", token)).toBeNull(); // Next redirects a trailing slash
    expect(take("GET", "/api/v1/tables/")).toBeNull(); // no segment
    expect(take("GET", "/api/v1/tables/a/b")).toBeNull(); // another route's shape
    expect(take("GET", "/api/v1/other/data.orders")).toBeNull(); // not registered
    expect(take("GET", "/api/v1/tables/data.orders", { ...token, host: "bad host" })).toBeNull(); // no URL can be built
    // The right shape, but the URL parser refuses them: new Request() would throw after the gate.
    for (const host of ["127.0.0.1:99999", "1.2.3.999", "[::::]"]) expect(take("GET", "/api/v1/tables/data.orders", { ...token, host })).toBeNull();
    expect(take("GET", "/api/v1/tables/data.orders", { ...token, host: "[::1]:3000" })).not.toBeNull(); // control
  });

  it("takes no method a route did not register", () => {
    const getOnly = new Map<string, DirectRoute>([["/api/v1/tables/", { param: "table", handlers: { GET: handler } }]]);
    expect(directRouteFor({ method: "HEAD", url: "/api/v1/tables/t", headers: token }, "/api/v1/tables/t", getOnly)).toBeNull();
  });
});

describe("acceptsGzip", () => {
  it("reads Accept-Encoding as Next's compression does", () => {
    expect(acceptsGzip("gzip, deflate, br")).toBe(true);
    expect(acceptsGzip("br;q=1.0, gzip;q=0.8")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("deflate, br")).toBe(false);
  });
});
