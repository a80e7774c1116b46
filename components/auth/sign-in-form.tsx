"use client";

import { useState, type FormEvent } from "react";
import { SubmitButton } from "@/components/forms/submit-button";
import { Field, Input } from "@/components/ui/input";
import { postCredentials } from "@/components/auth/post-credentials";

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError: string | null }) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const outcome = await postCredentials(String(form.get("email") ?? ""), String(form.get("password") ?? ""));
    if (outcome.ok) {
      // A full navigation, so every server component renders with the new session.
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    setError(outcome.message);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate={false}>
      {error ? (
        <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700 ring-1 ring-rose-200">
          {error}
        </p>
      ) : null}
      <Field label="E-mail">
        <Input name="email" type="email" autoComplete="username" required autoFocus />
      </Field>
      <Field label="Password">
        <Input name="password" type="password" autoComplete="current-password" required />
      </Field>
      <SubmitButton pending={pending} label="Sign in" pendingLabel="Signing in…" className="w-full" />
    </form>
  );
}
