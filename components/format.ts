/** Server-rendered times in UTC, so the page reads the same for everyone and never mismatches on hydration. */
export function formatWhen(value: number | Date | null | undefined, empty = "—"): string {
  if (value === null || value === undefined) return empty;
  const date = value instanceof Date ? value : new Date(value);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
