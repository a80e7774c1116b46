"use client";

import type { SQLNamespace } from "@codemirror/lang-sql";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { ApiFailure, asFailure, failureFrom, isAbort } from "@/components/ui/api-failure";
import { Button } from "@/components/ui/button";
import { ErrorPanel } from "@/components/ui/error-panel";
import { Spinner } from "@/components/ui/spinner";
import { ConsoleDownloads } from "@/components/sql/console-downloads";
import { ResultView } from "@/components/charts/result-view";
import { isSqlResult, type SqlResult } from "@/components/sql/result-types";
import { SqlEditor, type SqlEditorHandle } from "@/components/sql/sql-editor";
import { EXPLAIN_ANALYZE_PREFIX, EXPLAIN_PREFIX, readPlan, type Plan } from "@/components/sql/plan";
import { PlanTree } from "@/components/sql/plan-tree";

const DRAFT_KEY = "sluice:sql-draft";

type RunState =
  | { status: "idle" }
  | { status: "running"; started: number }
  | { status: "done"; result: SqlResult; sql: string }
  | { status: "plan"; plan: Plan }
  | { status: "cancelled" }
  | { status: "error"; error: ApiFailure };

function errorPosition(error: ApiFailure): number | null {
  const position = error.details?.position;
  const value = typeof position === "string" ? Number(position) : position;
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null;
}

type RunMode = "run" | "explain" | "analyze";
const PREFIX: Record<RunMode, string> = { run: "", explain: EXPLAIN_PREFIX, analyze: EXPLAIN_ANALYZE_PREFIX };

/** An error position in the sent text, moved back into the editor's text (EXPLAIN adds a prefix). */
function shifted(failure: ApiFailure, prefix: string): ApiFailure {
  const position = errorPosition(failure);
  if (position === null || prefix === "") return failure;
  const inEditor = position - prefix.length;
  return new ApiFailure(failure.status, failure.code, failure.message, { ...failure.details, position: inEditor > 0 ? inEditor : undefined });
}

/**
 * Runs read-only SQL through POST /api/v1/sql. Cancel aborts the fetch; the
 * server sees the request go away and cancels the query in Postgres.
 */
export function SqlConsole({ schema, defaultSchema, initialSql }: { schema: SQLNamespace; defaultSchema?: string; initialSql?: string }) {
  const router = useRouter();
  const editor = useRef<SqlEditorHandle>(null);
  const inflight = useRef<AbortController | null>(null);
  const [state, setState] = useState<RunState>({ status: "idle" });
  const [now, setNow] = useState(0);

  useEffect(() => () => inflight.current?.abort(), []);
  useEffect(() => {
    if (state.status !== "running") return;
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, [state.status]);

  async function run(mode: RunMode = "run") {
    editor.current?.closeCompletion();
    const text = editor.current?.value() ?? "";
    if (text.trim() === "") {
      setState({ status: "error", error: new ApiFailure(400, "bad_request", "Write a SELECT statement first.", { reason: "empty_statement" }) });
      return;
    }
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    editor.current?.showError(null);
    const started = performance.now();
    setNow(started);
    setState({ status: "running", started });
    try {
      const response = await fetch("/api/v1/sql", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ sql: PREFIX[mode] + text }),
        signal: controller.signal,
      });
      if (!response.ok) throw await failureFrom(response);
      const body: unknown = await response.json();
      if (!isSqlResult(body)) throw new ApiFailure(response.status, "unexpected", "The SQL API answered in an unexpected shape.");
      if (mode === "run") setState({ status: "done", result: body, sql: text });
      else {
        const plan = readPlan(body.rows);
        if (!plan) throw new ApiFailure(response.status, "unexpected", "EXPLAIN answered without a plan.");
        setState({ status: "plan", plan });
      }
      // The run is in the audit trail now: the history beside the console shows it.
      router.refresh();
    } catch (error) {
      if (isAbort(error)) {
        if (inflight.current === controller) setState({ status: "cancelled" });
        return;
      }
      const failure = shifted(asFailure(error), PREFIX[mode]);
      setState({ status: "error", error: failure });
      router.refresh();
      const position = errorPosition(failure);
      if (position !== null) editor.current?.showError(position);
    } finally {
      if (inflight.current === controller) inflight.current = null;
    }
  }

  function cancel() {
    const controller = inflight.current;
    inflight.current = null;
    controller?.abort();
    setState({ status: "cancelled" });
  }

  function save() {
    const text = editor.current?.value() ?? "";
    router.push(`/queries/new?sql=${encodeURIComponent(text)}`);
  }

  const running = state.status === "running";
  return (
    <div className="space-y-4">
      <SqlEditor
        ref={editor}
        schema={schema}
        defaultSchema={defaultSchema}
        initialValue={() => initialSql ?? window.localStorage.getItem(DRAFT_KEY) ?? "SELECT *\n  FROM data.orders\n ORDER BY id DESC\n LIMIT 20"}
        onRun={() => void run()}
        onChange={(value) => window.localStorage.setItem(DRAFT_KEY, value)}
      />
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="primary" onClick={() => void run()} disabled={running}>
          Run <kbd className="rounded bg-white/20 px-1 font-sans text-[10px]">Ctrl ↵</kbd>
        </Button>
        <Button variant="danger" onClick={cancel} disabled={!running}>
          Cancel
        </Button>
        <Button onClick={() => void run("explain")} disabled={running} title="EXPLAIN (FORMAT JSON): the planner's estimate, nothing runs">
          Explain
        </Button>
        <Button
          onClick={() => void run("analyze")}
          disabled={running}
          title="EXPLAIN ANALYZE: runs the statement in the same rolled-back READ ONLY transaction and reports what it did"
        >
          Explain analyze
        </Button>
        <Button onClick={save}>Save as query…</Button>
        <span className="text-sm text-slate-500">
          {running ? (
            <Spinner label={`Running… ${((now - state.started) / 1000).toFixed(1)} s`} />
          ) : state.status === "cancelled" ? (
            <span data-testid="run-cancelled">Cancelled — the query was stopped on the server.</span>
          ) : (
            "Read-only: runs in a rolled-back READ ONLY transaction with a time limit and a row cap."
          )}
        </span>
      </div>
      {state.status === "error" ? (
        <ErrorPanel title="The query failed" error={state.error}>
          <p data-testid="sql-error">{state.error.message}</p>
          {errorPosition(state.error) !== null ? (
            <button
              type="button"
              className="mt-1 text-xs font-medium underline"
              onClick={() => editor.current?.showError(errorPosition(state.error))}
            >
              Show position {errorPosition(state.error)} in the editor
            </button>
          ) : null}
        </ErrorPanel>
      ) : null}
      {state.status === "done" ? <ResultView result={state.result} actions={<ConsoleDownloads sql={state.sql} />} /> : null}
      {state.status === "plan" ? <PlanTree plan={state.plan} /> : null}
      {state.status === "idle" ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-500">
          Results appear here. Press <kbd className="rounded border border-slate-300 px-1">Ctrl</kbd> +{" "}
          <kbd className="rounded border border-slate-300 px-1">Enter</kbd> to run.
        </p>
      ) : null}
    </div>
  );
}
