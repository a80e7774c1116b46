/** One database value in a grid cell: NULL is visibly different from an empty string, and JSON stays readable. */
export function CellValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-xs italic text-slate-400">NULL</span>;
  if (typeof value === "boolean") return <span className="font-mono text-xs">{String(value)}</span>;
  if (typeof value === "number" || typeof value === "bigint") return <span className="tabular-nums">{String(value)}</span>;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === "") return <span className="text-xs italic text-slate-400">empty</span>;
  return (
    <span className="block max-w-[28rem] truncate" title={text.length > 60 ? text : undefined}>
      {text}
    </span>
  );
}

/** Right-align numbers the way spreadsheets do, judged by the Postgres type name. */
export function isNumericType(type: string | undefined): boolean {
  return !!type && /^(int[248]?|integer|bigint|smallint|numeric|decimal|float[48]|real|double precision|money|oid)$/i.test(type);
}
