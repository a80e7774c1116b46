"use client";

import { useEffect, useState, type ReactNode } from "react";
import { useNextSubmit } from "@/components/ui/use-next-submit";

/**
 * A one-time notice ("Saved."): the URL parameter that asked for it is dropped at once (a reload
 * does not say it again) and the notice goes at the next form submitted on the page (a run).
 */
export function TransientNotice({ param, children }: { param: string; children: ReactNode }) {
  const [shown, setShown] = useState(true);
  useEffect(() => {
    const url = new URL(window.location.href);
    if (url.searchParams.has(param)) {
      url.searchParams.delete(param);
      window.history.replaceState(window.history.state, "", url);
    }
  }, [param]);
  useNextSubmit(shown, () => setShown(false));
  if (!shown) return null;
  return (
    <p role="status" className="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-700 ring-1 ring-emerald-200" data-testid="transient-notice">
      {children}
    </p>
  );
}
