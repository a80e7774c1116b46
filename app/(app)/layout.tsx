import { AccessPanel } from "@/components/auth/access-panel";
import { pageAccess } from "@/lib/server/8-page-guards";

/**
 * Everything in (app) needs a live session. The proxy only checks that a
 * cookie exists; this checks it against Redis and the user's current state.
 * Pages call pageAccess() too: layouts are kept across client navigations.
 * A pending password change is the pages' to send on (the password form is
 * one of them).
 */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const access = await pageAccess({ pendingPasswordChange: "allow" });
  if (access.status === "unavailable") return <AccessPanel kind="unavailable" />;
  return children;
}
