import { AdminNav } from "@/components/admin/admin-nav";
import type { Metadata } from "next";
import Link from "next/link";
import { AddUserForm } from "@/components/admin/add-user-form";
import { RoleForm } from "@/components/admin/role-form";
import { AccessPanel } from "@/components/auth/access-panel";
import { ActionButton } from "@/components/forms/action-button";
import { formatWhen } from "@/components/format";
import { StatusBadge } from "@/components/layout/status-badge";
import { USER_ROLES } from "@/lib/core/caller";
import { pageAccess } from "@/lib/server/8-page-guards";
import { listUsers } from "@/lib/db/queries/users";
import { setDisabledAction } from "@/actions/admin-users";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const access = await pageAccess({ role: "admin", path: "/admin/users" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  const me = access.caller;
  const users = await listUsers();

  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <p className="text-sm text-slate-600">
          Viewers browse tables and run saved queries, analysts also run SQL, admins manage everything here. Disabling a user or resetting a password
          ends their sessions at once.
        </p>
      </div>
      <AdminNav />

      <AddUserForm roles={USER_ROLES} />

      <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm" aria-label="Users">
          <thead className="bg-slate-50 text-slate-500">
            <tr>
              <th className="px-4 py-2 font-medium">E-mail</th>
              <th className="px-4 py-2 font-medium">Role</th>
              <th className="px-4 py-2 font-medium">Status</th>
              <th className="px-4 py-2 font-medium">Last sign-in</th>
              <th className="px-4 py-2 font-medium">Created</th>
              <th className="px-4 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((user) => {
              const self = user.id === me.userId;
              return (
                <tr key={user.id} data-user-email={user.email}>
                  <td className="px-4 py-2">
                    <Link href={`/admin/users/${user.id}`} className="font-medium text-slate-900 hover:text-brand-600">
                      {user.email}
                    </Link>
                    {self ? <span className="ml-2 text-xs text-slate-500">(you)</span> : null}
                    {user.mustChangePassword ? (
                      <span className="ml-2 text-xs text-amber-700" title="Set by an admin or generated; replaced at their next sign-in">
                        password not yet replaced
                      </span>
                    ) : null}
                  </td>
                  <td className="px-4 py-2">
                    <RoleForm userId={user.id} email={user.email} role={user.role} roles={USER_ROLES} disabled={self} />
                  </td>
                  <td className="px-4 py-2">
                    <StatusBadge ok={!user.disabled} label={user.disabled ? "disabled" : "active"} />
                  </td>
                  <td className="px-4 py-2 whitespace-nowrap tabular-nums">{formatWhen(user.lastSignInAt, "never")}</td>
                  <td className="px-4 py-2 whitespace-nowrap tabular-nums">{formatWhen(user.createdAt)}</td>
                  <td className="px-4 py-2 text-right whitespace-nowrap">
                    {self ? null : (
                      <ActionButton
                        action={setDisabledAction}
                        fields={{ userId: user.id, disabled: String(!user.disabled) }}
                        label={user.disabled ? "Enable" : "Disable"}
                        tone={user.disabled ? "primary" : "danger"}
                        confirm={user.disabled ? undefined : `Disable ${user.email}? Their sessions end and their tokens stop working.`}
                        ariaLabel={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}
                      />
                    )}
                    <Link href={`/admin/users/${user.id}`} className="ml-3 text-sm font-medium text-brand-600 hover:text-brand-700">
                      Sessions &amp; password
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
