import "server-only";
import type net from "node:net";
import tls from "node:tls";

/**
 * TLS for the pool's connections, negotiated in our own socket factory rather than by
 * postgres.js. postgres.js upgrades a socket it was handed by calling `removeAllListeners()` on
 * it and reading the encrypted stream through a TLS socket of its own — which would leave the
 * pool blind (no wire state, no close event: discards that never finish). Negotiating here
 * hands postgres.js a socket that is already encrypted, and the pool reads the plain protocol.
 *
 * The modes follow libpq's `sslmode`, as postgres.js reads them from the URL: `disable` and
 * `allow` connect in the clear; `prefer` tries TLS and falls back; `require` encrypts without
 * checking the certificate; `verify-ca` checks the chain; `verify-full` (and `ssl=true`) also
 * the host name.
 */
export type TlsMode = "prefer" | "require" | "verify-ca" | "verify-full";

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** The TLS mode a connection URL asks for, and the URL postgres.js should see (without it). */
export function tlsFromUrl(url: string): { mode: TlsMode | null; url: string } {
  const parsed = new URL(url);
  const raw = parsed.searchParams.get("sslmode") ?? parsed.searchParams.get("ssl");
  parsed.searchParams.delete("sslmode");
  parsed.searchParams.delete("ssl");
  const mode = raw === null || raw === "disable" || raw === "allow" || raw === "false" ? null : raw === "true" ? "verify-full" : raw;
  if (mode !== null && mode !== "prefer" && mode !== "require" && mode !== "verify-ca" && mode !== "verify-full") {
    throw new Error(`unsupported sslmode "${raw}" in a database URL (use disable, prefer, require, verify-ca or verify-full)`);
  }
  return { mode, url: parsed.toString() };
}

/** Asks the server for TLS on a fresh socket; resolves the socket to speak the protocol on. */
export function negotiateTls(socket: net.Socket, mode: TlsMode, host: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(Object.assign(new Error(`TLS negotiation with ${host} timed out`), { code: "CONNECT_TIMEOUT" })), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once("error", fail);
    socket.once("data", (reply: Buffer) => {
      socket.removeListener("error", fail);
      if (reply[0] !== 0x53 /* 'S' */) {
        clearTimeout(timer);
        if (mode === "prefer") return resolve(socket);
        return fail(Object.assign(new Error(`the server at ${host} does not accept TLS (sslmode=${mode})`), { code: "ECONNREFUSED" }));
      }
      const secure = tls.connect({
        socket,
        servername: host,
        rejectUnauthorized: mode === "verify-ca" || mode === "verify-full",
        ...(mode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
      });
      secure.once("error", fail);
      secure.once("secureConnect", () => {
        clearTimeout(timer);
        secure.removeListener("error", fail);
        resolve(secure);
      });
    });
    socket.write(SSL_REQUEST);
  });
}
