import "server-only";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { singleton } from "@/lib/core/singleton";
import { env } from "@/lib/env";
import { scrubValue } from "@/lib/core/scrub";

/**
 * One JSON line per event (readable, colourised lines in development).
 * Secrets never reach it: the redact list covers the fields that could carry
 * them, every string is scrubbed of URL passwords, tokens and Authorization
 * values on the way in, and callers log ids rather than tokens.
 */
const SECRET_FIELDS = ["password", "newPassword", "currentPassword", "token", "secret", "authorization", "cookie", "url", "databaseUrl"];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
];

function createLogger(): Logger {
  let level = "info";
  let development = false;
  try {
    level = env().LOG_LEVEL;
    development = env().NODE_ENV === "development";
  } catch {
    // A broken environment is reported by whoever validates it; logging must still work.
  }
  const options: pino.LoggerOptions = {
    level,
    base: { service: "sluice" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map((arg) => scrubValue(arg)) as Parameters<typeof method>);
      },
    },
  };
  // Synchronous on purpose: a worker-thread transport would lose lines on exit and does not survive bundling.
  return development
    ? pino(options, pretty({ sync: true, colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service" }))
    : pino(options);
}

export const log: Logger = singleton("sluiceLogger", createLogger);
export type { Logger };
