import "server-only";
import { csvField, isFormulaStart, type CsvFormulas } from "@/lib/explore/output/raw-values";
import type { RawRow } from "@/lib/explore/output/cursor-rows";

/**
 * A batch of rows as CSV bytes, exactly the UTF-8 of their csvLine()s, without decoding every
 * value to a string and encoding the lines back. A value that is plain ASCII and that csvField
 * would write as it is — not empty, no quote, comma, CR or LF, no whitespace at either edge, no
 * formula start — is copied byte for byte (its text is its bytes). Any other value (non-ASCII
 * bytes included, which decoding may change: invalid UTF-8 becomes U+FFFD) goes through
 * csvField itself and is encoded. Exports are mostly the plain kind: ids, hashes, timestamps.
 */
export function csvBatchBytes(rows: ReadonlyArray<RawRow>, formulas: CsvFormulas = "escape"): Uint8Array {
  let out = Buffer.allocUnsafe(Math.max(1024, rows.length * 64));
  let at = 0;
  const room = (bytes: number) => {
    if (at + bytes <= out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
    out.copy(grown, 0, 0, at);
    out = grown;
  };
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const value = row[i] ?? null;
      const bytes = value !== null && isPlain(value) ? value : value === null ? null : Buffer.from(csvField(value, formulas));
      room((bytes?.length ?? 0) + 3);
      if (i > 0) out[at++] = COMMA;
      if (bytes) {
        out.set(bytes, at);
        at += bytes.length;
      }
    }
    room(2);
    out[at++] = CR;
    out[at++] = LF;
  }
  return out.subarray(0, at);
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/** ASCII that csvField returns unchanged in either formulas mode (see the file's comment). */
function isPlain(value: Buffer): boolean {
  const length = value.length;
  if (length === 0) return false;
  if (isEdgeSpace(value[0]!) || isEdgeSpace(value[length - 1]!) || isFormulaStart(value[0]!)) return false;
  for (let i = 0; i < length; i++) {
    const byte = value[i]!;
    if (byte >= 0x80 || byte === QUOTE || byte === COMMA || byte === CR || byte === LF) return false;
  }
  return true;
}

/** ASCII whitespace as a regex's `\s` has it: tab, LF, VT, FF, CR, space. */
function isEdgeSpace(byte: number): boolean {
  return byte === 32 || (byte >= 9 && byte <= 13);
}
