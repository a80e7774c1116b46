"use client";

import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap, type Completion } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { PostgreSQL, sql, type SQLNamespace } from "@codemirror/lang-sql";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder } from "@codemirror/view";
import { useEffect, useImperativeHandle, useRef, type Ref } from "react";
import { errorMark, errorSpan, setErrorMark } from "@/components/sql/error-mark";

export interface SqlEditorHandle {
  value(): string;
  /** Closes the completion popup (a run must not leave it open over the editor). */
  closeCompletion(): void;
  /** Marks and scrolls to a Postgres error position (1-based characters); null clears the mark. */
  showError(position: number | null): void;
  focus(): void;
}

const theme = EditorView.theme({
  "&": { fontSize: "13px", minHeight: "12rem", maxHeight: "28rem", backgroundColor: "white" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", overflow: "auto" },
  ".cm-content": { minHeight: "12rem" },
  "&.cm-focused": { outline: "none" },
  ".cm-completion-kind": {
    display: "inline-block",
    minWidth: "4.5em",
    marginRight: "0.5em",
    color: "#64748b",
    fontSize: "11px",
    fontFamily: "var(--font-sans)",
  },
  ".cm-gutters": { backgroundColor: "#f8fafc", borderRight: "1px solid #e2e8f0", color: "#94a3b8" },
});

function completionKind(completion: Completion): Node {
  const label = document.createElement("span");
  label.className = "cm-completion-kind";
  label.textContent = completion.type ?? "";
  return label;
}

/**
 * CodeMirror 6 with Postgres highlighting and completion of the catalog's
 * schemas, tables and columns. Created once: the catalog and callbacks are
 * read through refs, so re-renders of the console never rebuild the editor
 * (which would lose the cursor and undo history).
 */
export function SqlEditor({
  initialValue,
  schema,
  defaultSchema,
  onRun,
  onChange,
  ref,
}: {
  /** Read once, in the browser, when the editor is created (so it may consult localStorage). */
  initialValue: string | (() => string);
  schema: SQLNamespace;
  defaultSchema?: string;
  onRun: () => void;
  onChange?: (value: string) => void;
  ref?: Ref<SqlEditorHandle>;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onRun, onChange });
  useEffect(() => {
    callbacks.current = { onRun, onChange };
  });
  const setup = useRef({ initialValue, schema, defaultSchema });

  useEffect(() => {
    if (!host.current) return;
    const { initialValue: initial, schema: namespace, defaultSchema: fallbackSchema } = setup.current;
    const doc = typeof initial === "function" ? initial() : initial;
    const runKeys = keymap.of([
      {
        key: "Mod-Enter",
        preventDefault: true,
        run: (target) => {
          closeCompletion(target);
          callbacks.current.onRun();
          return true;
        },
      },
    ]);
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc,
        extensions: [
          runKeys,
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          // The default icons are glyphs many system fonts lack (they render as empty boxes): a word says more.
          autocompletion({ icons: false, closeOnBlur: true, addToOptions: [{ render: completionKind, position: 20 }] }),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          sql({ dialect: PostgreSQL, schema: namespace, defaultSchema: fallbackSchema, upperCaseKeywords: true }),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
          placeholder("SELECT … (Ctrl/Cmd + Enter runs it)"),
          EditorView.lineWrapping,
          errorMark(),
          theme,
          EditorView.contentAttributes.of({ "aria-label": "SQL editor", "data-testid": "sql-editor" }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  useImperativeHandle(
    ref,
    () => ({
      value: () => view.current?.state.doc.toString() ?? "",
      closeCompletion: () => {
        if (view.current) closeCompletion(view.current);
      },
      focus: () => view.current?.focus(),
      showError(position) {
        const editor = view.current;
        if (!editor) return;
        if (position === null) {
          editor.dispatch({ effects: setErrorMark.of(null) });
          return;
        }
        const span = errorSpan(editor.state.doc.toString(), position);
        editor.dispatch({
          effects: [setErrorMark.of(span.from < span.to ? span : null), EditorView.scrollIntoView(span.from, { y: "center" })],
          selection: { anchor: span.from },
        });
        editor.focus();
      },
    }),
    [],
  );

  return (
    <div
      ref={host}
      className="overflow-hidden rounded-xl border border-slate-300 bg-white shadow-sm focus-within:border-brand-500 focus-within:ring-2 focus-within:ring-brand-100"
    />
  );
}
