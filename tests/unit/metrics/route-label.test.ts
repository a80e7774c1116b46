import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ROUTES, OTHER_ROUTE, RouteLabels, routeTemplate, statusClass } from "@/lib/metrics/route-label";

describe("routeTemplate", () => {
  it.each([
    ["/api/v1/me", "/api/v1/me"],
    ["/api/v1/me/", "/api/v1/me"],
    ["/", "/"],
    ["/api/admin/users/0b6f3c1e-8a2d-4c57-9b1e-2f0d7c9a4e11", "/api/admin/users/[id]"],
    ["/api/v1/queries/42/run", "/api/v1/queries/[id]/run"],
    ["/api/v1/tables/data.customers", "/api/v1/tables/[table]"],
    ["/api/v1/tables/anything.at-all/extra/123", "/api/v1/tables/[table]/extra/[id]"],
    ["/api/v1/queries/q_7f3a9c2b1d4e5f60aa", "/api/v1/queries/[id]"],
    ["/api/health/ready", "/api/health/ready"],
  ])("%s → %s", (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });

  it("keeps ordinary words, even long ones", () => {
    expect(routeTemplate("/admin/configuration-overview")).toBe("/admin/configuration-overview");
  });
});

describe("RouteLabels", () => {
  it("never produces more than MAX_ROUTES + 1 distinct labels, whatever the paths", () => {
    fc.assert(
      fc.property(fc.array(fc.webPath(), { minLength: 1, maxLength: 600 }), (paths) => {
        const labels = new RouteLabels();
        const seen = new Set(paths.map((p) => labels.label(p.startsWith("/") ? p : `/${p}`)));
        expect(seen.size).toBeLessThanOrEqual(MAX_ROUTES + 1);
      }),
      { numRuns: 30 },
    );
  });

  it("folds new templates into 'other' once full, but keeps answering known ones", () => {
    const labels = new RouteLabels(2);
    expect(labels.label("/a")).toBe("/a");
    expect(labels.label("/b")).toBe("/b");
    expect(labels.label("/c")).toBe(OTHER_ROUTE);
    expect(labels.label("/a")).toBe("/a");
  });
});

describe("statusClass", () => {
  it.each([
    [200, "2xx"],
    [206, "2xx"],
    [304, "3xx"],
    [429, "4xx"],
    [503, "5xx"],
  ])("%i → %s", (status, label) => expect(statusClass(status)).toBe(label));
});
