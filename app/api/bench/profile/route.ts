import { Session } from "node:inspector/promises";
import { env } from "@/lib/env";
import { ApiError, errorResponse } from "@/lib/core/errors";

/**
 * The benchmark's profiler switch (`npm run bench:profile`): POST ?action=start starts V8's CPU
 * profiler in this server process, POST ?action=stop stops it and answers the profile. So the
 * profile covers only the measured load, after warm-up, not start-up and first-request
 * compilation. Off (404) unless BENCH_ENDPOINTS=on, like the bare handler; the proxy does not
 * run for /api/bench/.
 */
export const dynamic = "force-dynamic";

const globalForProfile = globalThis as unknown as { sluiceBenchProfiler?: Session };

export async function POST(request: Request) {
  if (env().BENCH_ENDPOINTS !== "on") return new Response(null, { status: 404 });
  const action = new URL(request.url).searchParams.get("action");
  if (action === "start") {
    const session = (globalForProfile.sluiceBenchProfiler ??= new Session());
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    return Response.json({ started: true });
  }
  if (action === "stop" && globalForProfile.sluiceBenchProfiler) {
    const session = globalForProfile.sluiceBenchProfiler;
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    globalForProfile.sluiceBenchProfiler = undefined;
    return Response.json(profile);
  }
  return errorResponse(new ApiError("bad_request", "POST ?action=start, then ?action=stop"));
}
