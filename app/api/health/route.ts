import { instanceId } from "@/lib/db/instance";

/** Liveness: the process answers. No dependency is called, so a database outage never restarts the app. */
export const dynamic = "force-dynamic";

const startedAt = Date.now();

export function GET() {
  return Response.json(
    { status: "ok", instance: instanceId(), uptimeS: Math.round((Date.now() - startedAt) / 1000) },
    { headers: { "Cache-Control": "no-store" } },
  );
}
