import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { ResetPasswordButton } from "@/components/admin/reset-password-button";
import { AccessPanel } from "@/components/auth/access-panel";
import { ActionButton } from "@/components/forms/action-button";
import { formatWhen } from "@/components/format";
import { StatusBadge } from "@/components/layout/status-badge";
import { pageAccess } from "@/lib/server/8-page-guards";
import { sessionHandle } from "@/lib/auth/sessions";
import { sessionsOf } from "@/lib/auth/user-admin";
import { findUserById } from "@/lib/db/queries/users";
import { revokeAllSessionsAction, revokeSessionAction } from "@/actions/admin-users";

export const metadata: Metadata = { title: "User" };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const access = await pageAccess({ role: "admin", path: `/admin/users/${encodeURIComponent(id)}` });
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  if (!z.uuid().safeParse(id).success) notFound();
  const user = await findUserById(id);
  if (!user) notFound();
  const sessions = await sessionsOf(user.id);

  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <Link href="/admin/users" className="text-sm text-brand-600 hover:text-brand-700">
          ← All users
        </Link>
        <h1 className="text-2xl font-semibold tracking-tight">{user.email}</h1>
        <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs">{user.role}</span>
          <StatusBadge ok={!user.disabled} label={user.disabled ? "disabled" : "active"} />
          <span>Last sign-in {formatWhen(user.lastSignInAt, "never")}</span>
          <span>Password changed {formatWhen(user.passwordChangedAt)}</span>
        </div>
      </div>

      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Password</h2>
        <p className="text-sm text-slate-600">A reset generates a new password, shows it to you once and ends every session of this user.</p>
        <ResetPasswordButton userId={user.id} email={user.email} />
      </section>

      <section className="space-y-3">
        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">Sessions ({sessions.length})</h2>
          {sessions.length > 1 ? (
            <ActionButton
              action={revokeAllSessionsAction}
              fields={{ userId: user.id }}
              label="Revoke all"
              tone="danger"
              confirm={`End every session of ${user.email}?`}
            />
          ) : null}
        </div>
        {sessions.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500">No live sessions.</p>
        ) : (
          <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm" aria-label="Sessions">
              <thead className="bg-slate-50 text-slate-500">
                <tr>
                  <th className="px-4 py-2 font-medium">Signed in</th>
                  <th className="px-4 py-2 font-medium">Expires</th>
                  <th className="px-4 py-2 font-medium">IP</th>
                  <th className="px-4 py-2 font-medium">Browser</th>
                  <th className="px-4 py-2" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {sessions.map((session) => (
                  <tr key={session.handle}>
                    <td className="px-4 py-2 whitespace-nowrap tabular-nums">
                      {formatWhen(session.createdAt)}
                      {access.caller.sessionId && session.handle === sessionHandle(access.caller.sessionId) ? (
                        <span className="ml-2 text-xs text-slate-500">(this session)</span>
                      ) : null}
                    </td>
                    <td className="px-4 py-2 whitespace-nowrap tabular-nums">{formatWhen(session.expiresAt)}</td>
                    <td className="px-4 py-2 font-mono text-xs">{session.ip ?? "—"}</td>
                    <td className="max-w-xs truncate px-4 py-2 text-xs text-slate-600" title={session.userAgent ?? undefined}>
                      {session.userAgent ?? "—"}
                    </td>
                    <td className="px-4 py-2 text-right">
                      <ActionButton action={revokeSessionAction} fields={{ userId: user.id, session: session.handle }} label="Revoke" tone="danger" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
