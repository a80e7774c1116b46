import { route } from "@/lib/server/6-route";
import { adminStats } from "@/lib/fleet/admin-stats";
import { readiness } from "@/lib/server/9-readiness";

/** The admin dashboard's data: pools, history, fleet, health, rate limits. Admin sessions and `admin`-scoped tokens. */
export const dynamic = "force-dynamic";

export const GET = route({ role: "admin", scopes: ["admin"] }, async () => adminStats(readiness));
