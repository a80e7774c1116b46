// postinstall: two small fixes to postgres.js 3.4.x for reserved connections
// (sql.reserve(), which the pool gate uses) whose socket the server closed
// (restart, pg_terminate_backend):
// 1. A query sent on such a connection was written to a null socket: an
//    uncaught TypeError in a setImmediate, and the query's promise never
//    settled, so the request hung. It now fails with CONNECTION_CLOSED (the
//    pool answers 503), and the handle stays usable for the next failure.
// 2. release() put the dead connection back among the open ones, where later
//    units of work would pick it up. It now stays closed (reconnected on demand).
// Idempotent; fails the install loudly if the code it expects is not there.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "node_modules", "postgres");
const MARK = "/* sluice: closed socket v2 */";

const EXECUTE = "    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))";
const EXECUTE_PATCHED = `${EXECUTE}\n\n    ${MARK}\n    if (!socket && !initial)\n      return (queryError(q, Errors.connection('CONNECTION_CLOSED', options)), true)`;
const RELEASE = "    sql.release = () => {\n      c.reserved = null\n      onopen(c)\n    }";
const RELEASE_PATCHED = `    sql.release = () => {\n      c.reserved = null\n      ${MARK}\n      c.queue === closed || onopen(c)\n    }`;

function patch(file, original, patched) {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  if (text.includes(MARK)) return;
  if (!text.includes(original)) {
    console.error(`[sluice] cannot patch ${file}: postgres.js changed; review scripts/patch-postgres.mjs`);
    process.exit(1);
  }
  writeFileSync(file, text.replace(original, patched));
}

if (existsSync(root)) {
  for (const flavour of ["src", "cjs/src", "cf/src"]) {
    patch(path.join(root, flavour, "connection.js"), EXECUTE, EXECUTE_PATCHED);
    patch(path.join(root, flavour, "index.js"), RELEASE, RELEASE_PATCHED);
  }
}
