"use client";

import { useActionState, useRef, useState } from "react";
import { createTokenAction } from "@/actions/tokens";
import { CopyButton } from "@/components/forms/copy-button";
import { FieldError, FormAlert, fieldErrorOf } from "@/components/forms/form-alert";
import { SubmitButton } from "@/components/forms/submit-button";
import { Field, Input, Select } from "@/components/ui/input";
import { useNextSubmit } from "@/components/ui/use-next-submit";

export interface ScopeChoice {
  scope: string;
  description: string;
}

const EXPIRY_LABELS: Record<string, string> = { "7d": "7 days", "30d": "30 days", "90d": "90 days", "1y": "1 year", never: "Never" };

export function CreateTokenForm({ scopes, expiries }: { scopes: ScopeChoice[]; expiries: readonly string[] }) {
  const [state, formAction, pending] = useActionState(createTokenAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const created = state?.ok && state.data.token !== dismissed ? state.data : null;

  // The secret is shown for the moment it was made: any later action on the page (a revoke, a
  // sign-out) clears it, so it does not sit on screen beside a list that no longer matches.
  useNextSubmit(created !== null, () => setDismissed(created?.token ?? null), formRef);

  return (
    <div className="space-y-5">
      {created ? (
        <div className="space-y-3 rounded-xl border border-emerald-200 bg-emerald-50 p-5" data-testid="new-token">
          <p className="text-sm font-semibold text-emerald-800">Token “{created.name}” created. Copy it now — it will not be shown again.</p>
          <div className="flex items-center gap-2">
            <code
              className="block grow overflow-x-auto rounded-md bg-white px-3 py-2 font-mono text-sm text-slate-900 ring-1 ring-emerald-200"
              data-testid="new-token-value"
            >
              {created.token}
            </code>
            <CopyButton text={created.token} />
          </div>
          <button type="button" className="text-xs font-medium text-emerald-800 underline" onClick={() => setDismissed(created.token)}>
            Done — hide the token
          </button>
          <p className="text-xs text-emerald-800">
            Use it as <code className="font-mono">Authorization: Bearer {created.token.slice(0, 8)}…</code> on{" "}
            <code className="font-mono">/api/v1/…</code>.
          </p>
        </div>
      ) : null}

      <form
        ref={formRef}
        action={formAction}
        className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
        aria-label="Create an API token"
      >
        <h2 className="text-lg font-semibold">Create a token</h2>
        <FormAlert state={state} />
        <Field label="Name" error={fieldErrorOf(state, "name")} className="max-w-md">
          <Input name="name" required maxLength={80} placeholder="e.g. nightly export" />
        </Field>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">Scopes</legend>
          {scopes.map((choice) => (
            <label key={choice.scope} className="flex items-start gap-2 text-sm">
              <input type="checkbox" name="scopes" value={choice.scope} defaultChecked={choice.scope === "tables:read"} className="mt-0.5" />
              <span>
                <code className="font-mono text-slate-900">{choice.scope}</code>
                <span className="ml-2 text-slate-500">{choice.description}</span>
              </span>
            </label>
          ))}
          <FieldError state={state} name="scopes" />
        </fieldset>
        <Field label="Expires after" className="max-w-xs">
          <Select name="expires" defaultValue="30d">
            {expiries.map((value) => (
              <option key={value} value={value}>
                {EXPIRY_LABELS[value] ?? value}
              </option>
            ))}
          </Select>
        </Field>
        <SubmitButton pending={pending} label="Create token" pendingLabel="Creating…" />
      </form>
    </div>
  );
}
