import { describe, expect, it } from "vitest";
import { summarizeAuditEvent, type AuditNames, type SummaryInput } from "@/lib/fleet/audit-summary";

/** One readable line per audit event, with ids resolved to names and the id itself when a name is gone. */
const ALICE = "11111111-1111-4111-8111-111111111111";
const BOB = "22222222-2222-4222-8222-222222222222";
const GONE = "33333333-3333-4333-8333-333333333333";
const QUERY = "44444444-4444-4444-8444-444444444444";

const names: AuditNames = {
  users: new Map([
    [ALICE, "alice@x.test"],
    [BOB, "bob@x.test"],
  ]),
  tokens: new Map([["tok_ci", "ci"]]),
  savedQueries: new Map([[QUERY, "Daily orders"]]),
};

const event = (over: Partial<SummaryInput>): SummaryInput => ({
  action: "x",
  outcome: "ok",
  via: "session",
  actorUserId: ALICE,
  actorTokenId: null,
  target: null,
  rows: null,
  durationMs: null,
  details: {},
  ...over,
});

describe("summarizeAuditEvent", () => {
  it("names the actor, the token and the target user of a revoke", () => {
    expect(summarizeAuditEvent(event({ action: "token.revoke", target: BOB, details: { tokenId: "tok_ci", name: "ci" } }), names)).toBe(
      "alice@x.test revoked token “ci” of bob@x.test",
    );
    expect(summarizeAuditEvent(event({ action: "token.revoke", target: ALICE, details: { name: "mine" } }), names)).toBe(
      "alice@x.test revoked their token “mine”",
    );
  });

  it("falls back to the e-mail the event kept, then to the id, for a deleted user", () => {
    expect(summarizeAuditEvent(event({ action: "user.disable", target: GONE, details: { email: "carol@x.test" } }), names)).toBe(
      "alice@x.test disabled carol@x.test",
    );
    expect(summarizeAuditEvent(event({ action: "user.password-reset", target: GONE }), names)).toBe(
      `alice@x.test reset deleted user ${GONE}'s password`,
    );
    expect(summarizeAuditEvent(event({ action: "auth.sign-out", actorUserId: GONE }), names)).toBe(`deleted user ${GONE} signed out`);
  });

  it("says a run through a token with the token's name, and a saved query by its name", () => {
    const viaToken = event({ action: "sql.run", via: "token", actorTokenId: "tok_ci", rows: 1200, durationMs: 35 });
    expect(summarizeAuditEvent(viaToken, names)).toBe("alice@x.test (via token “ci”) ran SQL (1,200 rows, 35 ms)");
    expect(summarizeAuditEvent(event({ action: "sql.run", via: "token", actorTokenId: "tok_old" }), names)).toBe(
      "alice@x.test (via token tok_old) ran SQL",
    );
    expect(summarizeAuditEvent(event({ action: "query.run", target: QUERY, rows: 1, durationMs: 4 }), names)).toBe(
      "alice@x.test ran the saved query “Daily orders” (1 row, 4 ms)",
    );
    expect(summarizeAuditEvent(event({ action: "sql.run", outcome: "timeout", details: { error: { reason: "timeout" } } }), names)).toBe(
      "alice@x.test's SQL timed out (timeout)",
    );
  });

  it("says whose query an admin cancelled, and what a refused signal was", () => {
    expect(summarizeAuditEvent(event({ action: "query.cancel", target: BOB, details: { pid: 4242, runBy: "bob@x.test" } }), names)).toBe(
      "alice@x.test cancelled bob@x.test's query (backend 4242)",
    );
    expect(summarizeAuditEvent(event({ action: "query.terminate", target: null, details: { pid: 7, role: "app" } }), names)).toBe(
      "alice@x.test terminated a statement of the app role (backend 7)",
    );
    expect(
      summarizeAuditEvent(
        event({ action: "query.cancel", outcome: "denied", details: { pid: 9, reason: "not a running backend of Sluice's readonly or app role" } }),
        names,
      ),
    ).toBe("alice@x.test tried to cancel backend 9: not a running backend of Sluice's readonly or app role");
  });

  it("reads refusals and unknown actions without inventing words", () => {
    expect(
      summarizeAuditEvent(
        event({
          action: "auth.sign-in",
          via: "anonymous",
          actorUserId: null,
          outcome: "denied",
          target: "x@y.test",
          details: { reason: "wrong password" },
        }),
        names,
      ),
    ).toBe("Sign-in as x@y.test refused: wrong password");
    expect(summarizeAuditEvent(event({ action: "user.role-change", target: BOB, details: { from: "viewer", to: "analyst" } }), names)).toBe(
      "alice@x.test changed bob@x.test's role from viewer to analyst",
    );
    expect(summarizeAuditEvent(event({ action: "future.thing", target: "t-1", outcome: "failed" }), names)).toBe(
      "alice@x.test: future.thing t-1 (failed)",
    );
  });
});
