"use client";

import { useActionState } from "react";
import { changePasswordAction } from "@/actions/password";
import { FormAlert, fieldErrorOf } from "@/components/forms/form-alert";
import { SubmitButton } from "@/components/forms/submit-button";
import { Field, Input } from "@/components/ui/input";

export function ChangePasswordForm({ minLength }: { minLength: number }) {
  const [state, formAction, pending] = useActionState(changePasswordAction, null);
  return (
    <form action={formAction} className="max-w-md space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-label="Change password">
      <FormAlert state={state} />
      <Field label="Current password" error={fieldErrorOf(state, "current")}>
        <Input name="current" type="password" autoComplete="current-password" required />
      </Field>
      <Field label="New password" hint={`At least ${minLength} characters.`} error={fieldErrorOf(state, "next")}>
        <Input name="next" type="password" autoComplete="new-password" minLength={minLength} required />
      </Field>
      <Field label="New password, again" error={fieldErrorOf(state, "confirm")}>
        <Input name="confirm" type="password" autoComplete="new-password" required />
      </Field>
      <SubmitButton pending={pending} label="Change password" pendingLabel="Changing…" />
    </form>
  );
}
