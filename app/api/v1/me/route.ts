import { route } from "@/lib/server/6-route";

/** Who am I? The caller as the API sees it — handy to check a token before using it. */
export const GET = route({}, async ({ caller }) => ({
  id: caller.userId,
  email: caller.email,
  role: caller.role,
  scopes: caller.scopes,
  via: caller.via,
  ...(caller.tokenId ? { tokenId: caller.tokenId } : {}),
}));
