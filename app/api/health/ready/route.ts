import { readiness } from "@/lib/server/9-readiness";
import { pool } from "@/lib/db/clients";
import { ROLES } from "@/lib/db/roles";

/** Readiness: every role's pool answers and the schema is current; 503 names what failed. */
export const dynamic = "force-dynamic";

export async function GET() {
  const report = await readiness();
  const pools = Object.fromEntries(
    ROLES.map((role) => {
      const s = pool(role).stats();
      return [
        role,
        {
          size: s.size,
          min: s.min,
          inUse: s.inUse,
          waiting: s.waiting,
          open: s.connections.open,
          target: s.target,
          fallbackToDirect: s.fallbackToDirect,
          health: s.health,
        },
      ];
    }),
  );
  return Response.json({ ...report, pools }, { status: report.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
