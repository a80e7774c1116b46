import "server-only";
import { audit } from "@/lib/db/queries/audit";
import { revokeSession, sessionHandle } from "@/lib/auth/sessions";

/** Ends one session of the user and says so in the audit log. Redis errors propagate. */
export async function endSession(userId: string, sid: string, ip: string | null): Promise<boolean> {
  const ended = await revokeSession(userId, sid);
  await audit({ action: "auth.sign-out", via: "session", actorUserId: userId, ip, details: { session: sessionHandle(sid), ended } });
  return ended;
}
