/**
 * The index just past a SQL comment starting at `i` — `--…` to the end of the line, or a nested
 * `/* … *\/` block (to the end of the text when unclosed) — or `i` itself when none starts there.
 * Pure; shared by the scanners that must not look inside comments.
 */
export function skipComment(text: string, i: number): number {
  if (text.startsWith("--", i)) {
    const end = text.indexOf("\n", i);
    return end === -1 ? text.length : end + 1;
  }
  if (text.startsWith("/*", i)) {
    let depth = 1;
    let j = i + 2;
    while (j < text.length && depth > 0) {
      if (text.startsWith("/*", j)) {
        depth += 1;
        j += 2;
      } else if (text.startsWith("*/", j)) {
        depth -= 1;
        j += 2;
      } else j += 1;
    }
    return j;
  }
  return i;
}
