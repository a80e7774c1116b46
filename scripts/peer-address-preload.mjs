// Loaded with `node --import` before the Next.js server. Next's proxy gets no
// socket address, and X-Forwarded-For is whatever the client sent; so every
// request is stamped here with the address of the TCP peer, overwriting any
// copy the client tried to send. lib/core/client-ip.ts trusts only this
// (unless TRUST_PROXY names the proxy in front).
import http from "node:http";

const HEADER = "x-sluice-peer-address";
const emit = http.Server.prototype.emit;

http.Server.prototype.emit = function emitWithPeer(event, request, ...rest) {
  if (event === "request" && request?.headers) {
    request.headers[HEADER] = request.socket?.remoteAddress ?? "";
  }
  return emit.call(this, event, request, ...rest);
};
