import "server-only";
/**
 * Turns a request path into a bounded metric label. A label per raw path would
 * let any client mint unlimited time series (ids, table names, random 404s);
 * ids collapse to `[id]`, table names to `[table]`, and after MAX_ROUTES
 * distinct labels everything new counts as "other".
 *
 * Pure apart from the seen-set, so unit tests can drive it.
 */
export const MAX_ROUTES = 200;
export const OTHER_ROUTE = "other";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
// Long opaque ids (base62/hex/base64url, with at least one digit) but not ordinary words.
const OPAQUE = /^(?=.*\d)[\w-]{16,}$/;
// Path segments after these prefixes name a catalog object, not a route.
const NAMED_SEGMENTS: Array<[prefix: string, placeholder: string]> = [["/api/v1/tables/", "[table]"]];

export function normaliseSegment(segment: string): string {
  if (NUMBER.test(segment) || UUID.test(segment) || OPAQUE.test(segment)) return "[id]";
  return segment;
}

export function routeTemplate(pathname: string): string {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  for (const [prefix, placeholder] of NAMED_SEGMENTS) {
    if (path.startsWith(prefix)) {
      const rest = path.slice(prefix.length).split("/").slice(1);
      return [prefix + placeholder, ...rest.map(normaliseSegment)].join("/");
    }
  }
  return path.split("/").map(normaliseSegment).join("/") || "/";
}

export class RouteLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max = MAX_ROUTES) {}

  label(pathname: string): string {
    const template = routeTemplate(pathname);
    if (this.seen.has(template)) return template;
    if (this.seen.size >= this.max) return OTHER_ROUTE;
    this.seen.add(template);
    return template;
  }
}

/** What the access log and metrics record for a request whose client went away first (nginx's 499). */
export const CLIENT_CLOSED_REQUEST = 499;

/** "2xx" … "5xx"; a client abort is its own class, never an error of ours. */
export function statusClass(status: number): string {
  if (status === CLIENT_CLOSED_REQUEST) return "client_aborted";
  return `${Math.floor(status / 100)}xx`;
}
