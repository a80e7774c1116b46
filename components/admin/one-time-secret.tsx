import { CopyButton } from "@/components/forms/copy-button";

/** A generated password, shown once to the admin who must pass it on. */
export function OneTimeSecret({ email, password }: { email: string; password: string }) {
  return (
    <div className="space-y-2 rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm" data-testid="one-time-password">
      <p className="text-emerald-800">
        Password for <span className="font-medium">{email}</span> — shown only now; pass it on securely. They replace it with their own at their next
        sign-in.
      </p>
      <div className="flex items-center gap-2">
        <code className="grow rounded-md bg-white px-2 py-1 font-mono text-slate-900 ring-1 ring-emerald-200">{password}</code>
        <CopyButton text={password} />
      </div>
    </div>
  );
}
