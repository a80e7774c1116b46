import { route } from "@/lib/server/6-route";
import { listRunningQueries } from "@/lib/fleet/running-queries";

/** The running-queries view's data: non-idle backends of Sluice's roles, named. Admin sessions and `admin`-scoped tokens. */
export const dynamic = "force-dynamic";

export const GET = route({ role: "admin", scopes: ["admin"] }, async () => listRunningQueries());
