import type { ReactNode } from "react";

/** The framed, horizontally scrolling box every data table sits in. */
export function TableShell({ children, footer, busy = false, label }: { children: ReactNode; footer?: ReactNode; busy?: boolean; label?: string }) {
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" aria-busy={busy} aria-label={label}>
      <div className={`relative overflow-x-auto transition-opacity ${busy ? "opacity-60" : ""}`}>{children}</div>
      {footer ? (
        <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 bg-slate-50 px-4 py-2 text-sm text-slate-600">{footer}</div>
      ) : null}
    </div>
  );
}

export const TH =
  "whitespace-nowrap border-b border-slate-200 bg-slate-50 px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
export const TD = "whitespace-nowrap border-b border-slate-100 px-3 py-1.5 align-top";
