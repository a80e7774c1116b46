import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { pageAccess } from "@/lib/server/8-page-guards";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password";

export const metadata: Metadata = { title: "Password" };

export default async function PasswordPage() {
  const access = await pageAccess({ path: "/settings/password" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  return (
    <div className="space-y-4">
      <p className="max-w-3xl text-sm text-slate-600">
        Changing your password signs you out everywhere, this browser included. API tokens keep working; revoke them separately if they may be
        exposed.
      </p>
      <ChangePasswordForm minLength={PASSWORD_MIN_LENGTH} />
    </div>
  );
}
