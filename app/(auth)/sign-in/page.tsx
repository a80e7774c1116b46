import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { signInErrorMessage } from "@/components/auth/post-credentials";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentCaller } from "@/lib/server/8-page-guards";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

export const metadata: Metadata = { title: "Sign in" };

const NOTICES: Record<string, string> = {
  "signed-out": "You are signed out.",
  "signed-out-locally":
    "You are signed out in this browser. The server could not end the session right now (a service is down); it expires on its own.",
  "password-changed": "Your password was changed. Sign in with the new one.",
  "session-ended": "Your session has ended. Sign in again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  // Already signed in (and the session is live): nothing to do here.
  const caller = await currentCaller().catch(() => null);
  if (caller) redirect(callbackUrl);

  const notice = typeof params.notice === "string" ? NOTICES[params.notice] : undefined;
  const error = typeof params.error === "string" ? signInErrorMessage(params.error) : null;

  return (
    <div className="mx-auto max-w-sm pt-8">
      <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to Sluice</h1>
        <p className="mt-1 text-sm text-slate-600">Use the e-mail and password your administrator gave you.</p>
        {notice ? <p className="mt-4 rounded-lg bg-brand-50 px-3 py-2 text-sm text-brand-700 ring-1 ring-brand-100">{notice}</p> : null}
        <div className="mt-6">
          <SignInForm callbackUrl={callbackUrl} initialError={error} />
        </div>
      </div>
      <p className="mt-4 text-center text-xs text-slate-500">
        No account yet? An administrator creates one in Admin → Users, or with <code className="font-mono">npm run create-admin</code>.
      </p>
    </div>
  );
}
