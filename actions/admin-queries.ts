"use server";

import { z } from "zod";
import { action } from "@/lib/server/7-action";
import { signalBackend } from "@/lib/fleet/running-queries";

/**
 * Cancel or terminate one running query from the admin area's running-queries view. Admins
 * only (checked here: the page's guard does not protect a directly posted action); only backends
 * of Sluice's readonly and app roles (lib/fleet/running-queries.ts); audited as query.cancel /
 * query.terminate with the admin as actor and the query's user as target.
 */
export const signalQueryAction = action(
  {
    name: "admin.queries.signal",
    role: "admin",
    scopes: ["admin"],
    schema: z.object({
      pid: z.coerce
        .number()
        .int("not a backend pid")
        .positive("not a backend pid")
        .max(2 ** 31 - 1, "not a backend pid"),
      signal: z.enum(["cancel", "terminate"]),
    }),
  },
  async (input, { caller, ip }) => {
    const result = await signalBackend({ userId: caller.userId, email: caller.email, ip }, input.pid, input.signal);
    return { pid: result.pid, signal: result.signal, runBy: result.runBy?.email ?? null };
  },
);
