"use client";

import { useEffect, useState } from "react";
import type { AdminStats } from "@/lib/fleet/admin-stats";

export const POLL_EVERY_MS = 2500;

export interface AdminStatsState {
  data: AdminStats | null;
  /** The last failure; data keeps the last good answer so the page does not go blank. */
  error: string | null;
  status: number | null;
  updatedAt: number | null;
}

/** Polls /api/admin/stats; one request at a time, the next one POLL_EVERY_MS after the last answer. */
export function useAdminStats(): AdminStatsState {
  const [state, setState] = useState<AdminStatsState>({ data: null, error: null, status: null, updatedAt: null });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();

    const poll = async () => {
      try {
        const response = await fetch("/api/admin/stats", { cache: "no-store", signal: controller.signal });
        const body: unknown = await response.json().catch(() => null);
        if (!response.ok) {
          const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
          setState((previous) => ({ ...previous, error: message, status: response.status }));
        } else {
          setState({ data: body as AdminStats, error: null, status: response.status, updatedAt: Date.now() });
        }
      } catch (error) {
        if (stopped) return;
        setState((previous) => ({ ...previous, error: error instanceof Error ? error.message : "network error", status: null }));
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_EVERY_MS);
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, []);

  return state;
}
