import pino, { type Logger } from "pino";
import { env } from "./env";

/**
 * One JSON line per event. Secrets never reach it: the redact list covers the
 * fields that could carry them, and callers log ids rather than tokens.
 */
const globalForLog = globalThis as unknown as { sluiceLogger?: Logger };

function createLogger(): Logger {
  let level = "info";
  try {
    level = env().LOG_LEVEL;
  } catch {
    // A broken environment is reported by whoever validates it; logging must still work.
  }
  return pino({
    level,
    base: { service: "sluice" },
    redact: {
      paths: ["password", "*.password", "token", "*.token", "authorization", "*.authorization", "cookie", "*.cookie", "url", "*.url"],
      censor: "[redacted]",
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export const log: Logger = (globalForLog.sluiceLogger ??= createLogger());
export type { Logger };
