import type { ReactNode } from "react";
import { errorTitle } from "@/lib/core/errors";

/**
 * An error said in words: what failed (`title`), what kind of error it is in human terms
 * (lib/core/errors.ts errorTitle), the message. The API's code stays out of sight, in the
 * chip's tooltip, for whoever reports it.
 */
export function ErrorPanel({
  title = "Something went wrong",
  error,
  children,
}: {
  title?: string;
  error?: { code: string; details?: unknown; status?: number };
  children: ReactNode;
}) {
  return (
    <div role="alert" className="rounded-xl bg-rose-50 px-4 py-3 text-sm text-rose-800 ring-1 ring-rose-200">
      <p className="flex flex-wrap items-center gap-x-2 font-semibold">
        {title}
        {error ? (
          <span
            className="rounded bg-rose-100 px-1.5 py-0.5 text-xs font-medium text-rose-700"
            title={`code: ${error.code}`}
            data-testid="error-title"
          >
            {errorTitle(error)}
          </span>
        ) : null}
      </p>
      <div className="mt-1">{children}</div>
    </div>
  );
}
