"use client";

import { useEffect, useState } from "react";
import type { AdminStats } from "@/lib/fleet/admin-stats";

export const POLL_EVERY_MS = 2500;

export interface PollState<T> {
  data: T | null;
  /** The last failure; data keeps the last good answer so the page does not go blank. */
  error: string | null;
  status: number | null;
  updatedAt: number | null;
}

/**
 * Polls a JSON endpoint of the admin area: one request at a time, the next one `everyMs` after
 * the last answer; while `paused`, none (and the data stays as it was).
 */
export function usePoll<T>(url: string, everyMs: number, paused = false): PollState<T> {
  const [state, setState] = useState<PollState<T>>({ data: null, error: null, status: null, updatedAt: null });

  useEffect(() => {
    if (paused) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();

    const poll = async () => {
      try {
        const response = await fetch(url, { cache: "no-store", signal: controller.signal });
        const body: unknown = await response.json().catch(() => null);
        if (!response.ok) {
          const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
          setState((previous) => ({ ...previous, error: message, status: response.status }));
        } else {
          setState({ data: body as T, error: null, status: response.status, updatedAt: Date.now() });
        }
      } catch (error) {
        if (stopped) return;
        setState((previous) => ({ ...previous, error: error instanceof Error ? error.message : "network error", status: null }));
      }
      if (!stopped) timer = setTimeout(() => void poll(), everyMs);
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [url, everyMs, paused]);

  return state;
}

/** The dashboard's numbers: /api/admin/stats every POLL_EVERY_MS. */
export function useAdminStats(): PollState<AdminStats> {
  return usePoll<AdminStats>("/api/admin/stats", POLL_EVERY_MS);
}
