import "server-only";

/**
 * One line of plain language per audit event ("alice@x revoked token “ci” of bob@x"), from the
 * row and the names its ids resolve to. Pure: the names are looked up beforehand
 * (lib/fleet/audit-log.ts), and an id nobody can resolve (a deleted user) is shown as the id.
 */
export interface SummaryInput {
  action: string;
  outcome: string;
  via: string;
  actorUserId: string | null;
  actorTokenId: string | null;
  target: string | null;
  rows: number | null;
  durationMs: number | null;
  details: Record<string, unknown>;
}

export interface AuditNames {
  users: ReadonlyMap<string, string>;
  tokens: ReadonlyMap<string, string>;
  savedQueries: ReadonlyMap<string, string>;
}

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const quoted = (name: string) => `“${name}”`;

export function userName(id: string | null, names: AuditNames, fallback?: string | null): string {
  if (!id) return fallback ?? "someone";
  return names.users.get(id) ?? fallback ?? `deleted user ${id}`;
}

export function tokenName(id: string | null, names: AuditNames, fallback?: string | null): string {
  if (!id) return "a token";
  const name = names.tokens.get(id) ?? fallback;
  return name ? `token ${quoted(name)}` : `token ${id}`;
}

function actorOf(row: SummaryInput, names: AuditNames): string {
  if (row.via === "system") return "Sluice";
  if (row.via === "cli" && !row.actorUserId) return "An operator (command line)";
  if (!row.actorUserId) return "Someone";
  const who = userName(row.actorUserId, names);
  return row.via === "token" && row.actorTokenId ? `${who} (via ${tokenName(row.actorTokenId, names)})` : who;
}

/** The target user, or "their own" phrasing when actor and target are the same person. */
function targetUser(row: SummaryInput, names: AuditNames): string {
  if (row.target && row.target === row.actorUserId) return "their own";
  return userName(row.target, names, text(row.details.email));
}

function possessive(owner: string): string {
  return owner === "their own" ? owner : `${owner}'s`;
}

const measured = (row: SummaryInput) => {
  const parts = [
    row.rows !== null ? `${row.rows.toLocaleString("en")} row${row.rows === 1 ? "" : "s"}` : null,
    row.durationMs !== null ? `${row.durationMs} ms` : null,
  ];
  const shown = parts.filter(Boolean);
  return shown.length ? ` (${shown.join(", ")})` : "";
};

function errorCode(details: Record<string, unknown>): string | null {
  const error = details.error as { reason?: unknown; code?: unknown } | undefined;
  return text(error?.reason) ?? text(error?.code);
}

export function summarizeAuditEvent(row: SummaryInput, names: AuditNames): string {
  const actor = actorOf(row, names);
  const d = row.details;
  const denied = row.outcome === "denied";
  switch (row.action) {
    case "auth.sign-in":
      return denied ? `Sign-in as ${row.target ?? "?"} refused: ${text(d.reason) ?? "denied"}` : `${actor} signed in`;
    case "auth.sign-out":
      return `${actor} signed out`;
    case "token.create": {
      const token = quoted(text(d.name) ?? text(d.tokenId) ?? "?");
      return row.target === row.actorUserId ? `${actor} created token ${token}` : `${actor} created token ${token} for ${targetUser(row, names)}`;
    }
    case "token.revoke": {
      const token = quoted(text(d.name) ?? text(d.tokenId) ?? "?");
      return row.target === row.actorUserId
        ? `${actor} revoked their token ${token}`
        : `${actor} revoked token ${token} of ${targetUser(row, names)}`;
    }
    case "user.create":
      return `${actor} created the user ${text(d.email) ?? userName(row.target, names)}${text(d.role) ? ` (${text(d.role)})` : ""}`;
    case "user.role-change":
      return `${actor} changed ${possessive(targetUser(row, names))} role from ${text(d.from) ?? "?"} to ${text(d.to) ?? "?"}`;
    case "user.disable":
      return `${actor} disabled ${targetUser(row, names)}`;
    case "user.enable":
      return `${actor} enabled ${targetUser(row, names)}`;
    case "user.password-reset":
      return `${actor} reset ${possessive(targetUser(row, names))} password`;
    case "user.password-change":
      return denied ? `${actor} tried to change their password: ${text(d.reason) ?? "refused"}` : `${actor} changed their password`;
    case "session.revoke":
      return d.all
        ? `${actor} ended every session of ${targetUser(row, names)}${typeof d.ended === "number" ? ` (${d.ended})` : ""}`
        : `${actor} ended a session of ${targetUser(row, names)}`;
    case "sql.run":
      return row.outcome === "ok" ? `${actor} ran SQL${measured(row)}` : `${actor}'s SQL ${outcomeWord(row.outcome)}${reasonOf(d)}`;
    case "query.run": {
      const query = row.target ? quoted(names.savedQueries.get(row.target) ?? row.target) : "a saved query";
      return row.outcome === "ok"
        ? `${actor} ran the saved query ${query}${measured(row)}`
        : `${actor}'s run of ${query} ${outcomeWord(row.outcome)}${reasonOf(d)}`;
    }
    case "query.cancel":
    case "query.terminate": {
      const verb = row.action === "query.cancel" ? "cancel" : "terminate";
      const whose = row.target
        ? `${possessive(userName(row.target, names, text(d.runBy)))} query`
        : `a statement of the ${text(d.role) ?? "Sluice"} role`;
      const pid = typeof d.pid === "number" ? ` (backend ${d.pid})` : "";
      if (row.outcome === "ok") return `${actor} ${verb === "cancel" ? "cancelled" : "terminated"} ${whose}${pid}`;
      return `${actor} tried to ${verb} backend ${typeof d.pid === "number" ? d.pid : "?"}: ${text(d.reason) ?? row.outcome}`;
    }
    default:
      return `${actor}: ${row.action}${row.target ? ` ${row.target}` : ""}${row.outcome !== "ok" ? ` (${row.outcome})` : ""}`;
  }
}

function outcomeWord(outcome: string): string {
  if (outcome === "cancelled") return "was cancelled";
  if (outcome === "timeout") return "timed out";
  if (outcome === "denied") return "was refused";
  return "failed";
}

function reasonOf(details: Record<string, unknown>): string {
  const reason = errorCode(details);
  return reason ? ` (${reason.replaceAll("_", " ")})` : "";
}
