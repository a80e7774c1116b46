/**
 * Runs once when a server process starts. The Node.js-only work lives in
 * lib/server/0-startup.ts, behind the NEXT_RUNTIME check that lets Next drop it from
 * the edge bundle.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("@/lib/server/0-startup");
    await onServerStart();
  }
}
