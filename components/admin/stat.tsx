/** One labelled number of a dashboard panel. */
export function Stat({
  label,
  value,
  hint,
  testId,
  tone = "plain",
}: {
  label: string;
  value: React.ReactNode;
  hint?: string;
  testId?: string;
  tone?: "plain" | "warn" | "bad";
}) {
  const color = tone === "bad" ? "text-rose-700" : tone === "warn" ? "text-amber-700" : "text-slate-900";
  return (
    <div className="min-w-0" title={hint}>
      <dt className="truncate text-xs text-slate-500">{label}</dt>
      <dd className={`text-lg font-semibold tabular-nums ${color}`} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

export function Panel({ title, children, aside, testId }: { title: string; children: React.ReactNode; aside?: React.ReactNode; testId?: string }) {
  return (
    // min-w-0: panels sit in grids, where an item would otherwise grow to its widest content (a chart, a table).
    <section className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5" data-testid={testId}>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

export const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(seconds / 3600);
  return hours < 48 ? `${hours} h ${Math.floor((seconds % 3600) / 60)} min` : `${Math.floor(hours / 24)} days`;
}
