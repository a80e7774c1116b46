/** Set by scripts/peer-address-preload.mjs from the TCP socket; a client can never supply it. */
export const PEER_ADDRESS_HEADER = "x-sluice-peer-address";
/** What the proxy forwards to route handlers after deciding the client's address. */
export const CLIENT_IP_HEADER = "x-sluice-client-ip";
