"use client";

import type { SQLNamespace } from "@codemirror/lang-sql";
import Link from "next/link";
import { useActionState, useEffect, useEffectEvent, useRef, useState } from "react";
import { createQueryAction, describeQueryAction, updateQueryAction } from "@/actions/queries";
import { FieldError, FormAlert } from "@/components/forms/form-alert";
import { SqlEditor, type SqlEditorHandle } from "@/components/sql/sql-editor";
import { Button, buttonClass } from "@/components/ui/button";
import { Field, Input, Textarea } from "@/components/ui/input";
import {
  fromDraft,
  placeholderNames,
  toDraft,
  uninferredNames,
  withInferredTypes,
  withMissingParameters,
  type InferredType,
  type StoredParameter,
} from "@/components/queries/parameter-draft";
import { ParameterEditor } from "@/components/queries/parameter-editor";

export interface QueryFormValues {
  name: string;
  description: string;
  sql: string;
  parameters: StoredParameter[];
  shared: boolean;
  cacheMaxAgeS: number;
}

/** Create or edit a saved query: name, description, SQL with `{{name}}` parameters and their types, sharing, cache age. */
export function QueryForm({
  id,
  initial,
  schema,
  defaultSchema,
}: {
  id?: string;
  initial: QueryFormValues;
  schema: SQLNamespace;
  defaultSchema?: string;
}) {
  const [state, formAction, pending] = useActionState(id ? updateQueryAction : createQueryAction, null);
  const [sql, setSql] = useState(initial.sql);
  const [drafts, setDrafts] = useState(() => withMissingParameters(initial.parameters.map(toDraft), initial.sql));
  // Controlled fields: React resets uncontrolled ones after every action, which would wipe the form on a validation error.
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description);
  const [cacheMaxAgeS, setCacheMaxAgeS] = useState(String(initial.cacheMaxAgeS));
  const [shared, setShared] = useState(initial.shared);
  const used = placeholderNames(sql);
  const editor = useRef<SqlEditorHandle>(null);
  const [check, setCheck] = useState<{ sql: string; status: "checking" | "ok" | "failed"; message?: string } | null>(null);
  const waiting = uninferredNames(drafts, sql).length > 0;

  function changeSql(next: string) {
    setSql(next);
    setDrafts((current) => withMissingParameters(current, next));
  }

  /** Postgres prepares and describes the SQL (nothing runs): the parameters' types, or why it cannot. */
  async function describe(text: string) {
    setCheck({ sql: text, status: "checking" });
    const form = new FormData();
    form.set("sql", text);
    form.set("parameters", JSON.stringify(drafts.map((draft) => ({ name: draft.name.trim(), type: draft.type }))));
    const result = await describeQueryAction(null, form).catch(() => null);
    if (!result) return setCheck({ sql: text, status: "failed", message: "Cannot reach the server to check the SQL." });
    if (result.ok) {
      setDrafts((current) => withInferredTypes(current, result.data.parameters as InferredType[]));
      return setCheck({ sql: text, status: "ok" });
    }
    setCheck({ sql: text, status: "failed", message: result.error });
  }

  // While a placeholder has no inferred type, ask Postgres once the typing pauses. Each check is
  // one SQL budget call (rate limit), so not on every keystroke once every type is known.
  const describeLater = useEffectEvent((text: string) => void describe(text));
  useEffect(() => {
    if (!waiting || sql.trim() === "" || check?.sql === sql) return;
    const timer = setTimeout(() => describeLater(sql), 800);
    return () => clearTimeout(timer);
  }, [sql, waiting, check?.sql]);

  // A refused save points into the SQL: mark the place in the editor.
  useEffect(() => {
    const position = state && !state.ok ? (state.details as { position?: unknown } | undefined)?.position : undefined;
    editor.current?.showError(typeof position === "number" ? position : null);
  }, [state]);

  return (
    <form
      action={formAction}
      className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
      aria-label={id ? "Edit saved query" : "New saved query"}
    >
      {/* A refusal said at its field (the SQL, say) is not repeated up here, far from it. */}
      {state &&
      !state.ok &&
      Object.values(state.fieldErrors ?? {})
        .flat()
        .includes(state.error) ? null : (
        <FormAlert state={state} />
      )}
      {id ? <input type="hidden" name="id" value={id} /> : null}
      <input type="hidden" name="sql" value={sql} />
      <input type="hidden" name="parameters" value={JSON.stringify(drafts.map(fromDraft))} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" error={fieldError(state, "name")}>
          <Input
            name="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            maxLength={200}
            placeholder="e.g. Orders by status"
          />
        </Field>
        <Field
          label="Cache results for (seconds)"
          hint="0 = always run fresh. API and page runs share the cache."
          error={fieldError(state, "cacheMaxAgeS")}
        >
          <Input
            name="cacheMaxAgeS"
            type="number"
            min={0}
            max={86400}
            step={1}
            value={cacheMaxAgeS}
            onChange={(event) => setCacheMaxAgeS(event.target.value)}
          />
        </Field>
      </div>
      <Field label="Description" error={fieldError(state, "description")}>
        <Textarea
          name="description"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          rows={2}
          maxLength={2000}
          placeholder="What it answers, for whoever finds it in the list"
        />
      </Field>
      <div className="space-y-1.5">
        <span className="text-sm font-medium text-slate-700">SQL</span>
        <SqlEditor
          ref={editor}
          initialValue={initial.sql}
          schema={schema}
          defaultSchema={defaultSchema}
          onChange={changeSql}
          onRun={() => void describe(sql)}
        />
        <span className="block text-xs text-slate-500">
          One read-only statement. Put <code className="font-mono">{"{{name}}"}</code> where a value goes; it is bound as a typed parameter, never
          pasted into the SQL. Postgres checks the SQL and suggests each parameter&apos;s type (nothing runs).
        </span>
        <div className="flex flex-wrap items-center gap-3 text-xs">
          <Button size="sm" onClick={() => void describe(sql)} disabled={sql.trim() === "" || check?.status === "checking"}>
            Check SQL
          </Button>
          <span role="status" data-testid="sql-check">
            {check?.sql !== sql ? null : check.status === "checking" ? (
              <span className="text-slate-500">Checking…</span>
            ) : check.status === "ok" ? (
              <span className="text-emerald-700">Postgres accepts the SQL.</span>
            ) : (
              <span className="text-amber-800">{check.message}</span>
            )}
          </span>
        </div>
        <FieldError state={state} name="sql" />
      </div>
      {/* min-w-0: a fieldset is as wide as its content by default, which would widen the page on a phone instead of scrolling the table. */}
      <fieldset className="min-w-0 space-y-2">
        <legend className="text-sm font-medium text-slate-700">Parameters</legend>
        <ParameterEditor drafts={drafts} used={used} onChange={setDrafts} />
        <FieldError state={state} name="parameters" />
      </fieldset>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="shared" checked={shared} onChange={(event) => setShared(event.target.checked)} className="mt-0.5" />
        <span>
          <span className="font-medium text-slate-800">Share with the team</span>
          <span className="ml-2 text-slate-500">Everyone signed in can see and run it; only you (and admins) can change it.</span>
        </span>
      </label>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Saving…" : id ? "Save changes" : "Save query"}
        </Button>
        <Link href={id ? `/queries/${id}` : "/queries"} className={buttonClass("ghost")}>
          Cancel
        </Link>
      </div>
    </form>
  );
}

function fieldError(state: Parameters<typeof FieldError>[0]["state"], name: string): string | undefined {
  return state && !state.ok ? state.fieldErrors?.[name]?.[0] : undefined;
}
