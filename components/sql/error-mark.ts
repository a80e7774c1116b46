import { StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, type DecorationSet } from "@codemirror/view";

/** Underlines the spot Postgres complained about; any edit clears it (the position is stale then). */
export const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();

const mark = Decoration.mark({ class: "cm-sql-error", attributes: { title: "The error is here" } });

const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, transaction) {
    if (transaction.docChanged) return Decoration.none;
    for (const effect of transaction.effects) {
      if (effect.is(setErrorMark)) return effect.value ? Decoration.set([mark.range(effect.value.from, effect.value.to)]) : Decoration.none;
    }
    return value;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const errorTheme = EditorView.baseTheme({
  ".cm-sql-error": { textDecoration: "underline wavy #e11d48", backgroundColor: "rgba(244, 63, 94, 0.15)" },
});

export function errorMark(): Extension {
  return [errorField, errorTheme];
}

/**
 * Postgres reports a 1-based position in characters (code points); CodeMirror
 * counts UTF-16 units. Returns the span of the word starting there, so the
 * mark is visible even for a one-letter position.
 */
export function errorSpan(doc: string, position: number): { from: number; to: number } {
  const chars = Array.from(doc);
  const index = Math.min(Math.max(position - 1, 0), chars.length);
  const from = chars.slice(0, index).join("").length;
  const word = /^[\w$."]+/.exec(doc.slice(from));
  const to = Math.min(doc.length, from + Math.max(1, word ? word[0].length : 1));
  return from >= doc.length ? { from: Math.max(0, doc.length - 1), to: doc.length } : { from, to };
}
