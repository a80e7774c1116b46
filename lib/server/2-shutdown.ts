import "server-only";
import { singleton } from "@/lib/core/singleton";
import { closePools } from "@/lib/db/clients";
import { env } from "@/lib/env";
import { onServerRequest } from "@/lib/server/1-server-hook";
import { log } from "@/lib/core/log";
import { markDraining } from "@/lib/metrics";
import { appRateLimiter } from "@/lib/ratelimit/runtime";
import { closeRedis } from "@/lib/redis/client";
import { stopFleetHeartbeat } from "@/lib/fleet/heartbeat";

/**
 * Graceful shutdown on SIGTERM / SIGINT.
 *
 * Next's standalone server (next/dist/server/lib/start-server.js) already
 * handles both signals: it calls server.close() — stop accepting, let
 * in-flight requests finish — then awaits pending after() work and calls
 * process.exit(143 / 130). It knows nothing of our pools or Redis and has no
 * deadline. Its HTTP server is not reachable from app code, so rather than
 * re-implement that half we take Next's listeners over: on a signal we mark
 * the process draining, run Next's own cleanup, and when it asks to exit we
 * close the pools and Redis and exit 0. A deadline (SHUTDOWN_TIMEOUT_S) cuts
 * the wait short when a request or a keep-alive client does not let go.
 *
 * Behind a load balancer that health-checks readiness, closing the listener at
 * once races the balancer: until its next check it still sends requests here,
 * and they meet a refused connect (retried elsewhere if it is configured to)
 * or a reset from the listen backlog (lost). SHUTDOWN_DELAY_S keeps serving
 * with readiness at 503 for that long first (set it above the balancer's
 * check interval × fall count); docs/deploy.md has the HAProxy settings the
 * multi-instance test proves.
 *
 * server.close() only closes connections that are idle at that moment; a
 * keep-alive client that keeps sending would hold the drain open until the
 * deadline. So while draining every response says `Connection: close`, and
 * each busy connection ends after its current request.
 */
const SIGNALS = ["SIGTERM", "SIGINT"] as const;
type Signal = (typeof SIGNALS)[number];
/** Next exits with 128 + signal number once its own cleanup is done. */
const NEXT_SIGNAL_EXIT_CODES = new Set([130, 143]);
const CLOSE_TIMEOUT_S = 5;

interface ShutdownState {
  installed: boolean;
  draining: boolean;
}
const state = singleton<ShutdownState>("sluiceShutdown", () => ({ installed: false, draining: false }));

export function isDraining(): boolean {
  return state.draining;
}

export function installShutdownHandlers(): void {
  if (state.installed) return;
  state.installed = true;
  const shutdownLog = log.child({ component: "shutdown" });
  closeConnectionsWhileDraining();
  const nextListeners = new Map<Signal, Array<(...args: unknown[]) => void>>();
  for (const signal of SIGNALS) {
    const listeners = process.listeners(signal) as Array<(...args: unknown[]) => void>;
    nextListeners.set(signal, listeners);
    for (const listener of listeners) process.removeListener(signal, listener);
    process.on(signal, () => void drain(signal));
  }

  async function drain(signal: Signal): Promise<void> {
    if (state.draining) return;
    state.draining = true;
    markDraining();
    const { SHUTDOWN_TIMEOUT_S: timeoutS, SHUTDOWN_DELAY_S: delayS } = env();
    if (delayS > 0) {
      // Readiness answers 503 from now on; keep serving until the load balancer has seen it and
      // stopped sending, so that no request meets a closed listener (or a reset in its backlog).
      shutdownLog.info({ signal, delayS }, "draining: readiness answers 503; the listener stays open for SHUTDOWN_DELAY_S");
      await new Promise((resolve) => setTimeout(resolve, delayS * 1000));
    }
    const realExit = process.exit.bind(process);
    let finished = false;
    const finish = async (code: number, reason: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      process.exit = realExit;
      await closeDependencies(shutdownLog);
      shutdownLog.info({ signal, code, reason }, "shutdown complete");
      realExit(code);
    };
    const deadline = setTimeout(() => {
      shutdownLog.warn({ timeoutS }, "in-flight requests did not finish before SHUTDOWN_TIMEOUT_S; closing anyway");
      void finish(1, "deadline");
    }, timeoutS * 1000);

    const listeners = nextListeners.get(signal) ?? [];
    shutdownLog.info({ signal, timeoutS, serverListeners: listeners.length }, "draining: no new connections, finishing in-flight requests");
    if (listeners.length === 0) {
      // NEXT_MANUAL_SIG_HANDLE or a custom server: whoever owns the HTTP server closes it.
      await finish(0, "no server listener");
      return;
    }
    // Next's cleanup ends in process.exit(); hold that until our resources are closed.
    process.exit = ((code?: number | string | null) => {
      const numeric = typeof code === "number" ? code : 0;
      void finish(NEXT_SIGNAL_EXIT_CODES.has(numeric) ? 0 : numeric, "server closed");
    }) as typeof process.exit;
    for (const listener of listeners) listener(signal);
  }
}

async function closeDependencies(shutdownLog: typeof log): Promise<void> {
  const steps: Array<[string, () => Promise<void>]> = [
    // Leave the fleet first, so the dashboard stops counting this instance's connections.
    ["fleet heartbeat", async () => stopFleetHeartbeat()],
    // Counter writes go to Redis, so they are flushed before Redis closes.
    ["rate-limit counters", () => appRateLimiter().flush()],
    ["database pools", () => closePools(CLOSE_TIMEOUT_S)],
    ["redis", () => closeRedis()],
  ];
  for (const [name, step] of steps) {
    try {
      await Promise.race([
        step(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), (CLOSE_TIMEOUT_S + 1) * 1000).unref()),
      ]);
    } catch (error) {
      shutdownLog.warn({ step: name, err: error instanceof Error ? error.message : String(error) }, "shutdown step failed");
    }
  }
}

/**
 * server.close() only closes idle connections; while draining every response
 * says `Connection: close` so busy keep-alive connections end after their
 * current request. Outside a drain the hook only checks one flag.
 */
function closeConnectionsWhileDraining(): void {
  onServerRequest("shutdown", (_request, response) => {
    if (state.draining && !response.headersSent) response.setHeader("Connection", "close");
  });
}
