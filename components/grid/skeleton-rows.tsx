/** Grey placeholder rows while the first rows load, in the grid's own row height, so the page does not jump. */
export function SkeletonRows({ columns, rows = 8 }: { columns: number; rows?: number }) {
  return (
    <div className="divide-y divide-slate-100" aria-hidden data-testid="grid-skeleton">
      {Array.from({ length: rows }, (_, row) => (
        <div key={row} className="flex h-[33px] items-center gap-6 px-3">
          {Array.from({ length: Math.max(1, Math.min(columns, 6)) }, (_, column) => (
            <span key={column} className="h-3 flex-1 animate-pulse rounded bg-slate-100" />
          ))}
        </div>
      ))}
    </div>
  );
}
