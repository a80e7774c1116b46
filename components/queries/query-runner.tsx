"use client";

import Link from "next/link";
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from "react";
import { CopyButton } from "@/components/forms/copy-button";
import { QueryDownloads } from "@/components/queries/query-downloads";
import { ResultView } from "@/components/charts/result-view";
import type { ChartSettings } from "@/components/charts/chart-data";
import { SaveChartButton } from "@/components/queries/save-chart-button";
import { isSqlResult, type SqlResult } from "@/components/sql/result-types";
import { ApiFailure, asFailure, failureFrom, isAbort } from "@/components/ui/api-failure";
import { Button } from "@/components/ui/button";
import { ErrorPanel } from "@/components/ui/error-panel";
import { Field, Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { toDraft, type StoredParameter } from "@/components/queries/parameter-draft";
import type { ParameterType } from "@/lib/explore/sql";

const INPUT_TYPES: Record<ParameterType, "text" | "date"> = {
  text: "text",
  number: "text",
  integer: "text",
  date: "date",
  timestamp: "text",
  boolean: "text",
  list: "text",
};
const HINTS: Record<ParameterType, string | undefined> = {
  text: undefined,
  number: "a number",
  integer: "a whole number",
  date: undefined,
  timestamp: "YYYY-MM-DD HH:MM[:SS], optionally a zone (+02)",
  boolean: "true or false",
  list: "comma-separated values",
};

const noSubscribe = () => () => undefined;

/** Runs a saved query through its API (GET /api/v1/queries/{id}/results) and shows how to do the same with a token. */
export function QueryRunner({
  id,
  parameters,
  chart,
  canEdit,
}: {
  id: string;
  parameters: StoredParameter[];
  chart: ChartSettings | null;
  canEdit: boolean;
}) {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(parameters.map((p) => [p.name, toDraft(p).default])));
  const [state, setState] = useState<
    { status: "idle" | "running" | "cancelled" } | { status: "done"; result: SqlResult; query: string } | { status: "error"; error: ApiFailure }
  >({ status: "idle" });
  const inflight = useRef<AbortController | null>(null);
  const origin = useSyncExternalStore(
    noSubscribe,
    () => window.location.origin,
    () => "https://sluice.example.com",
  );
  useEffect(() => () => inflight.current?.abort(), []);

  // An empty optional value is left out (its default, else NULL); an empty required one is sent
  // empty, and the API refuses it: clearing a required field never quietly runs its default.
  const required = new Set(parameters.filter((p) => p.required !== false).map((p) => p.name));
  const query = new URLSearchParams(Object.entries(values).filter(([name, value]) => value.trim() !== "" || required.has(name)));
  const path = `/api/v1/queries/${id}/results${query.size ? `?${query}` : ""}`;

  async function run(event?: FormEvent) {
    event?.preventDefault();
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setState({ status: "running" });
    const ranWith = query.toString();
    try {
      const response = await fetch(path, { headers: { Accept: "application/json" }, signal: controller.signal, cache: "no-store" });
      if (!response.ok) throw await failureFrom(response);
      const body: unknown = await response.json();
      if (!isSqlResult(body)) throw new ApiFailure(response.status, "unexpected", "The query API answered in an unexpected shape.");
      setState({ status: "done", result: body, query: ranWith });
    } catch (error) {
      if (!isAbort(error)) setState({ status: "error", error: asFailure(error) });
    } finally {
      if (inflight.current === controller) inflight.current = null;
    }
  }

  function cancel() {
    inflight.current?.abort();
    inflight.current = null;
    setState({ status: "cancelled" });
  }

  const curl = `curl -H "Authorization: Bearer $SLUICE_TOKEN" \\\n  "${origin}${path}"`;
  return (
    <div className="space-y-6">
      <form
        onSubmit={(event) => void run(event)}
        className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
        aria-label="Run the query"
      >
        {parameters.length > 0 ? (
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {parameters.map((parameter) => (
              <Field
                key={parameter.name}
                label={`${parameter.label || parameter.name}${parameter.required === false ? "" : " *"}`}
                hint={HINTS[parameter.type] ?? `${parameter.type}`}
              >
                <Input
                  name={parameter.name}
                  type={INPUT_TYPES[parameter.type]}
                  inputMode={parameter.type === "number" ? "decimal" : parameter.type === "integer" ? "numeric" : undefined}
                  value={values[parameter.name] ?? ""}
                  onChange={(event) => setValues((current) => ({ ...current, [parameter.name]: event.target.value }))}
                  aria-label={parameter.name}
                />
              </Field>
            ))}
          </div>
        ) : (
          <p className="text-sm text-slate-500">This query has no parameters.</p>
        )}
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" disabled={state.status === "running"}>
            Run query
          </Button>
          <Button variant="danger" onClick={cancel} disabled={state.status !== "running"}>
            Cancel
          </Button>
          {state.status === "running" ? <Spinner label="Running…" /> : null}
          {state.status === "cancelled" ? <span className="text-sm text-slate-500">Cancelled.</span> : null}
        </div>
      </form>

      {state.status === "error" ? (
        <ErrorPanel title="The query failed" error={state.error}>
          {state.error.message}
        </ErrorPanel>
      ) : null}
      {state.status === "done" ? (
        <ResultView
          result={state.result}
          actions={<QueryDownloads id={id} query={state.query} />}
          savedChart={chart}
          saveChart={canEdit ? (settings) => <SaveChartButton id={id} settings={settings} saved={chart} /> : undefined}
        />
      ) : null}

      <section className="space-y-2 rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-label="Use it from the API">
        <h2 className="font-semibold">Call it from a script</h2>
        <p className="text-sm text-slate-600">
          Create a token with the <code className="font-mono">queries:run</code> scope on the{" "}
          <Link href="/settings/tokens" className="font-medium text-brand-600 hover:text-brand-700">
            API tokens
          </Link>{" "}
          page, then (add <code className="font-mono">-H &quot;Accept: text/csv&quot;</code> for CSV; repeat a key for a list):
        </p>
        <div className="flex items-start gap-2">
          <pre className="grow overflow-x-auto rounded-lg bg-slate-900 px-4 py-3 font-mono text-xs text-slate-100" data-testid="curl-example">
            {curl}
          </pre>
          <CopyButton text={curl} />
        </div>
      </section>
    </div>
  );
}
