import { route } from "@/lib/server/6-route";
import { ApiError } from "@/lib/core/errors";
import { readOnlyRefusal } from "@/lib/explore/read-only";

/**
 * PostgREST's `/rpc/{function}` under the table API's base URL, so `postgrest-js`'s `.rpc()`
 * gets an answer in our shape: functions are not exposed (a read is a 404), and the write
 * verbs are refused as on tables.
 */
export const GET = route({ auth: "public" }, async () => {
  throw new ApiError("not_found", "Functions are not exposed by the table API (rpc is not served)", { reason: "unknown_relation" });
});
export const HEAD = GET;

const refuse = route({ auth: "public" }, async ({ request }) => {
  throw readOnlyRefusal(request.method, "on /rpc");
});

export const POST = refuse;
export const PATCH = refuse;
export const PUT = refuse;
export const DELETE = refuse;
