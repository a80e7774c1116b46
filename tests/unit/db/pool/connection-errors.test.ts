import { describe, expect, it } from "vitest";
import { DrizzleQueryError } from "drizzle-orm/errors";
import postgres from "postgres";
import { errorCodes, isConnectError, isConnectionLevelError, isDatabaseBusy, isServerError, isStatementFault } from "@/lib/db/pool/connection-errors";

/** A driver error as postgres.js builds one for a server ErrorResponse. */
function serverError(code: string) {
  return new postgres.PostgresError({ code, message: `error ${code}`, severity: "ERROR" } as never);
}
const lost = () => Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });

describe("connection error classification", () => {
  it("recognises a lost connection whatever wraps it (Drizzle puts the driver's error in cause)", () => {
    const wrapped = new DrizzleQueryError("select 1", [], lost());
    expect(isConnectionLevelError(lost())).toBe(true);
    expect(isConnectionLevelError(wrapped)).toBe(true);
    expect(errorCodes(new Error("outer", { cause: wrapped }))).toEqual(["CONNECTION_CLOSED"]);
    // Control: a query error, wrapped the same way, is not a connection failure.
    expect(isConnectionLevelError(new DrizzleQueryError("select 1", [], serverError("42P01")))).toBe(false);
  });

  it("tells a connect failure (nothing sent: another host may be tried) from a lost connection", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(isConnectError(new DrizzleQueryError("select 1", [], refused))).toBe(true);
    expect(isConnectError(lost())).toBe(false);
    expect(isConnectionLevelError(serverError("57P01"))).toBe(true); // admin_shutdown: the backend is going away
  });

  it("knows the server's own errors, and which of them are the statement's fault", () => {
    expect(isServerError(new DrizzleQueryError("x", [], serverError("22P02")))).toBe(true);
    expect(isServerError(new Error("our code failed"))).toBe(false);
    expect(isStatementFault(serverError("42601"))).toBe(true); // syntax
    expect(isStatementFault(serverError("57014"))).toBe(true); // its own timeout
    expect(isStatementFault(serverError("53300"))).toBe(false); // too many connections: the server's problem
    expect(isStatementFault(serverError("XX000"))).toBe(false);
    expect(isStatementFault(lost())).toBe(false);
  });

  it("knows when the database is busy (retry later) rather than the statement wrong, also through Drizzle", () => {
    expect(isDatabaseBusy(new DrizzleQueryError("select", [], serverError("53300")))).toBe(true);
    expect(isDatabaseBusy(serverError("40P01"))).toBe(true);
    expect(isDatabaseBusy(serverError("55P03"))).toBe(true);
    expect(isDatabaseBusy(serverError("42P01"))).toBe(false);
    expect(isDatabaseBusy(new Error("no code"))).toBe(false);
  });
});
