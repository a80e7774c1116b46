import type { ReactNode } from "react";

/** An error said in words, with the API's code when there is one. */
export function ErrorPanel({ title = "Something went wrong", code, children }: { title?: string; code?: string; children: ReactNode }) {
  return (
    <div role="alert" className="rounded-xl bg-rose-50 px-4 py-3 text-sm text-rose-800 ring-1 ring-rose-200">
      <p className="font-semibold">
        {title}
        {code ? <span className="ml-2 font-mono text-xs font-normal text-rose-600">{code}</span> : null}
      </p>
      <div className="mt-1">{children}</div>
    </div>
  );
}
