/**
 * Runs once when a server process starts: a bad configuration stops it here,
 * with every problem listed, instead of failing on the first request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  env();
}
