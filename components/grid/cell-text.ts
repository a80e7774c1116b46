/** A database value as the text a user copies or downloads: NULL is empty, JSON stays JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

/** One row as tab-separated text, the form spreadsheets paste into columns (tabs and newlines inside a value become spaces). */
export function rowText(values: unknown[]): string {
  return values.map((value) => cellText(value).replace(/[\t\r\n]+/g, " ")).join("\t");
}

/** A starting width from the column's name and type, so narrow ids and wide text both start readable. */
export function initialColumnWidth(name: string, type: string | undefined): number {
  const typeWidth = type ? type.length * 6 + 8 : 0;
  const nameWidth = name.length * 8 + 32;
  const wanted = Math.max(nameWidth + typeWidth, /^(text|varchar|character varying|json|jsonb)$/i.test(type ?? "") ? 220 : 96);
  return Math.min(Math.max(wanted, 80), 360);
}
