"use client";

import { useRef, useState } from "react";
import { saveDownload } from "@/components/grid/save-download";
import { asFailure, failureFrom, isAbort } from "@/components/ui/api-failure";
import { errorTitle } from "@/lib/core/errors";
import { buttonClass } from "@/components/ui/button";

const FORMATS = {
  csv: { accept: "text/csv", label: "CSV" },
  json: { accept: "application/json", label: "JSON" },
} as const;
type Format = keyof typeof FORMATS;

const kilobytes = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * Download buttons for the console's last statement: the SQL API's own CSV (streamed, with the
 * CSV row cap) or JSON answer, run again for the file, as an API client would get it.
 */
export function ConsoleDownloads({ sql }: { sql: string }) {
  const [status, setStatus] = useState<{ format: Format; bytes: number } | { error: string } | null>(null);
  const inflight = useRef<AbortController | null>(null);

  async function download(format: Format) {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setStatus({ format, bytes: 0 });
    try {
      const response = await fetch("/api/v1/sql", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: FORMATS[format].accept },
        body: JSON.stringify({ sql }),
        signal: controller.signal,
      });
      if (!response.ok) throw await failureFrom(response);
      await saveDownload(response, `query.${format}`, (bytes) => setStatus({ format, bytes }));
      setStatus(null);
    } catch (error) {
      if (inflight.current === controller) {
        const failure = asFailure(error);
        setStatus(isAbort(error) ? null : { error: `${errorTitle(failure)}: ${failure.message}` });
      }
    } finally {
      if (inflight.current === controller) inflight.current = null;
    }
  }

  const busy = status !== null && "format" in status;
  return (
    <span className="flex items-center gap-2" data-testid="result-downloads">
      {(Object.keys(FORMATS) as Format[]).map((format) => (
        <button key={format} type="button" className={buttonClass("secondary", "sm")} disabled={busy} onClick={() => void download(format)}>
          Download {FORMATS[format].label}
        </button>
      ))}
      {busy ? (
        <span className="text-xs text-slate-500" aria-live="polite">
          {FORMATS[status.format].label}: {kilobytes.format(status.bytes / 1024)} KB…{" "}
          <button type="button" className="underline" onClick={() => inflight.current?.abort()}>
            stop
          </button>
        </span>
      ) : status && "error" in status ? (
        <span className="text-xs text-rose-700" role="alert">
          {status.error}
        </span>
      ) : null}
    </span>
  );
}
