import "server-only";
/**
 * One value per process, kept on globalThis under `key`. Next.js builds several
 * bundles that each get their own copy of a module (instrumentation, the proxy,
 * every route chunk), and `next dev` re-evaluates modules on hot reload; state
 * that must be shared by all of them (a logger, a pool, a limiter, a hook list)
 * lives here instead of in a module-level variable. `create` runs the first time
 * the key is asked for, or again after someone set it to undefined (tests do, to
 * start afresh).
 */
export function singleton<T>(key: string, create: () => T): T {
  const store = globalThis as unknown as Record<string, T | undefined>;
  return (store[key] ??= create());
}
