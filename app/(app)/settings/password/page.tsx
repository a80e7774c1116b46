import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { pageAccess } from "@/lib/server/8-page-guards";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password";

export const metadata: Metadata = { title: "Password" };

export default async function PasswordPage() {
  const access = await pageAccess({ path: "/settings/password", pendingPasswordChange: "allow" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  return (
    <div className="space-y-4">
      {access.caller.mustChangePassword ? (
        <div
          role="alert"
          className="max-w-3xl rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200"
          data-testid="password-required"
        >
          <p className="font-semibold">Choose your own password to continue</p>
          <p className="mt-1">
            Your current password was set for you (by an administrator, or generated when the account was made), so someone else has seen it. Replace
            it here; until then the other pages bring you back to this one. Enter the password you signed in with as the current one.
          </p>
        </div>
      ) : null}
      <p className="max-w-3xl text-sm text-slate-600">
        Changing your password signs you out everywhere, this browser included. API tokens keep working; revoke them separately if they may be
        exposed.
      </p>
      <ChangePasswordForm minLength={PASSWORD_MIN_LENGTH} />
    </div>
  );
}
