import type { Env } from "@/lib/env";

/** The `next dev` command line of `npm run dev`: the port, and the interface (loopback unless HOST says otherwise). */
export function nextDevArgs(env: Pick<Env, "PORT" | "HOST">): string[] {
  return ["dev", "--port", String(env.PORT), "--hostname", env.HOST];
}
