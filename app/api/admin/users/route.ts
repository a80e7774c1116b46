import { route } from "@/lib/server/6-route";
import { listUsers } from "@/lib/db/queries/users";

/** Every user, for the admin dashboard and automation. Needs the admin role, and for tokens the admin scope. */
export const GET = route({ role: "admin", scopes: ["admin"] }, async () => ({ users: await listUsers() }));
