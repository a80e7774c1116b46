"use client";

import { useEffect, useState } from "react";
import { ApiFailure, asFailure, failureFrom, isAbort } from "@/components/ui/api-failure";
import { apiParams, totalFromContentRange } from "@/components/explore/grid-query";

export type CountMode = "exact" | "planned" | "estimated";

export interface RowsState {
  status: "loading" | "ok" | "error";
  rows: Record<string, unknown>[];
  total: number | null;
  elapsedMs: number | null;
  error: ApiFailure | null;
}

interface Answer {
  /** Which request this answers; any other key means a newer one is under way. */
  key: string;
  rows: Record<string, unknown>[];
  total: number | null;
  elapsedMs: number | null;
  error: ApiFailure | null;
}

/**
 * Fetches one page of a relation through the table API whenever the query
 * string changes. The previous rows stay on screen (dimmed) while the next
 * page loads, and a superseded request is aborted so a fast clicker never
 * sees an older answer overwrite a newer one.
 */
export function useTableRows(relation: string, query: string, countMode: CountMode): RowsState {
  const key = `${relation}?${query}#${countMode}`;
  const [answer, setAnswer] = useState<Answer>({ key: "", rows: [], total: null, elapsedMs: null, error: null });

  useEffect(() => {
    const controller = new AbortController();
    const started = performance.now();
    const url = `/api/v1/tables/${relation}?${apiParams(new URLSearchParams(query))}`;
    fetch(url, { headers: { Accept: "application/json", Prefer: `count=${countMode}` }, signal: controller.signal, cache: "no-store" })
      .then(async (response) => {
        if (!response.ok && response.status !== 206) throw await failureFrom(response);
        const body: unknown = await response.json();
        if (!Array.isArray(body))
          throw new ApiFailure(response.status, "unexpected", "The table API answered with something other than a list of rows.");
        setAnswer({
          key,
          rows: body as Record<string, unknown>[],
          total: totalFromContentRange(response.headers.get("Content-Range")),
          elapsedMs: Math.round(performance.now() - started),
          error: null,
        });
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        setAnswer((previous) => ({ ...previous, key, error: asFailure(error), elapsedMs: null }));
      });
    return () => controller.abort();
  }, [key, relation, query, countMode]);

  const current = answer.key === key;
  return {
    status: !current ? "loading" : answer.error ? "error" : "ok",
    rows: answer.rows,
    total: answer.total,
    elapsedMs: answer.elapsedMs,
    error: current ? answer.error : null,
  };
}
