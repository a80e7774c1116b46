/**
 * Runs once when a server process starts: a bad configuration stops it here,
 * with every problem listed, instead of failing on the first request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env, EnvError } = await import("./lib/env");
  try {
    env();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`[sluice] refusing to start. ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
}
