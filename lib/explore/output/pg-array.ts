import "server-only";

/**
 * Postgres' text form of an array (`{1,2}`, `{{a,NULL},{"b c","d\""}}`, `[0:1]={1,2}`) as nested
 * JS arrays of element texts (null for NULL), for element types whose delimiter is a comma
 * (every type but box). null when the text is not such a literal.
 */
export type ArrayElements = Array<string | null | ArrayElements>;

export function parsePgArray(text: string): ArrayElements | null {
  let i = 0;
  // Explicit bounds (`[0:1]={…}`) only move the subscripts; JSON has none.
  if (text[0] === "[") {
    i = text.indexOf("=") + 1;
    if (i === 0) return null;
  }
  const parseLevel = (): ArrayElements | null => {
    if (text[i] !== "{") return null;
    i += 1;
    const out: ArrayElements = [];
    if (text[i] === "}") {
      i += 1;
      return out;
    }
    for (;;) {
      if (text[i] === "{") {
        const inner = parseLevel();
        if (inner === null) return null;
        out.push(inner);
      } else if (text[i] === '"') {
        let value = "";
        i += 1;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\") i += 1;
          value += text[i] ?? "";
          i += 1;
        }
        if (text[i] !== '"') return null;
        i += 1;
        out.push(value);
      } else {
        const start = i;
        while (i < text.length && text[i] !== "," && text[i] !== "}") i += 1;
        const value = text.slice(start, i);
        out.push(value.toUpperCase() === "NULL" ? null : value);
      }
      if (text[i] === ",") i += 1;
      else if (text[i] === "}") {
        i += 1;
        return out;
      } else return null;
    }
  };
  const parsed = parseLevel();
  return parsed !== null && i === text.length ? parsed : null;
}
