// postinstall: fixes to postgres.js 3.4.x for connections the server closes
// (Postgres restart, pg_terminate_backend) and for connect attempts that fail,
// as the role pools use it: sql.reserve() for every unit of work and a custom
// `socket` factory (lib/db/connection-tracker.ts) that rejects when the server
// cannot be reached. Without them a restart under load could leave a pool that
// never recovers:
// 1. A rejected socket factory left its connection in the `connecting` queue
//    forever (only a socket 'close' event gives a connection back to the pool,
//    and there was no socket). Every failed connect cost the client one of its
//    `max` connections; once all were gone, sql.reserve() waited forever and the
//    unit of work held its gate permit forever. The connection now goes back
//    to `closed`, as after a close, and is reconnected on demand.
// 2. A reserve() request whose connect attempt failed stayed in the waiting
//    list; a connection freed later was handed to that settled request and lost.
//    It is now removed when it fails.
// 3. release() of a reservation whose connection the server had closed put the
//    connection back among the open ones even if it had been reconnected for
//    someone else meanwhile: two holders on one connection, or a connection
//    still connecting (no socket) handed out as open. Queries written to it
//    threw "Cannot read properties of null (reading 'write')" in a setImmediate
//    (uncaught), and the connection stayed unusable (every query failed with
//    CONNECTION_CLOSED, or hung). A reservation now acts only on its own
//    connection: release() after a close does nothing, queries on a released
//    or closed reservation fail with CONNECTION_CLOSED, and queries queued on it
//    fail when it closes.
// 4. A write pending when the socket closed was cancelled but its buffer and
//    timer handle were kept, so after reconnecting the startup message was
//    appended to the dead session's bytes and never flushed (the connect hung
//    until connect_timeout). Both are reset on close and terminate.
// 5. A query on a connection without a socket (closed, not reconnecting) fails
//    with CONNECTION_CLOSED instead of being written to a null socket; a write
//    that still finds no socket is dropped, and what waited for it fails.
// 6. A reserve() request taken up by a connection the server had just closed
//    (postgres.js reconnects it for the first waiting request) was removed from
//    the waiting list, where reserve requests are served from once a connection
//    is ready: it was never served, and the unit waited forever. It stays listed.
// 7. State of the dead session carried over to the next one: an error the
//    server sent just before closing (57P01 "terminating connection due to
//    administrator command" on a shutdown) failed the first request on the new,
//    healthy session, so the pool saw a connection error right after the server
//    came back; a query sent between the socket's 'error' and 'close' events was
//    left in the sent list and, after the reconnect, taken for the query in
//    progress: it never settled and the connection was wedged; a row counter
//    left mid-result shifted the next result's rows. On close every pending
//    query now fails (not only when the close was clean) and that state is reset.
// Idempotent; upgrades files patched by an earlier version of this script
// (restores the original code first); fails the install loudly if the code it
// expects is not there.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "node_modules", "postgres");
const MARK = "/* sluice: closed socket v3 */";
const OLD_MARKS = ["/* sluice: closed socket v2 */"];

/** [original, patched] pairs; each original must occur in the file (every occurrence is replaced). */
const CONNECTION = [
  [
    "    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n",
    `    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n\n    ${MARK}\n    if (!socket && !initial)\n      return (queryError(q, Errors.connection('CONNECTION_CLOSED', options)), true)\n`,
  ],
  [
    "    } catch (e) {\n      error(e)\n      return\n    }\n",
    `    } catch (e) {\n      error(e)\n      ${MARK}\n      closedTime = performance.now()\n      options.shared.retries++\n      delay = (typeof backoff === 'function' ? backoff(options.shared.retries) : backoff) * 1000\n      initial ? reconnect() : onclose(connection, Errors.connection('CONNECTION_CLOSED', options))\n      return\n    }\n`,
  ],
  [
    "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n",
    `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      initial || error(Errors.connection('CONNECTION_CLOSED', options))\n      return true\n    }\n    const x = socket.write(chunk, fn)\n`,
  ],
  // closed(): nothing of the dead session may carry over to the next one
  [
    "    socket.removeAllListeners()\n    socket = null\n",
    `    socket.removeAllListeners()\n    socket = null\n    errorResponse = null ${MARK}\n    rows = 0\n`,
  ],
  [
    "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
    `    ${MARK}\n    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n    query = null\n`,
  ],
  // terminate() and closed()
  ["    clearImmediate(nextWriteTimer)\n    if (socket) {\n", `    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null ${MARK}\n    if (socket) {\n`],
  ["    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)\n", `    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null ${MARK}\n    socket.removeListener('data', data)\n`],
];

const INDEX = [
  // onclose(): a reserve() request is served from `queries` once a connection is ready, so it must stay there
  [
    "    queries.length && connect(c, queries.shift())\n",
    `    ${MARK}\n    queries.length && connect(c, queries.peek().reserve ? queries.peek() : queries.shift())\n`,
  ],
  [
    `  async function reserve() {
    const queue = Queue()
    const c = open.length
      ? open.shift()
      : await new Promise((resolve, reject) => {
        const query = { reserve: resolve, reject }
        queries.push(query)
        closed.length && connect(closed.shift(), query)
      })

    move(c, reserved)
    c.reserved = () => queue.length
      ? c.execute(queue.shift())
      : move(c, reserved)
    c.reserved.release = true

    const sql = Sql(handler)
    sql.release = () => {
      c.reserved = null
      onopen(c)
    }

    return sql

    function handler(q) {
      c.queue === full
        ? queue.push(q)
        : c.execute(q) || move(c, full)
    }
  }
`,
    `  async function reserve() {
    ${MARK}
    const queue = Queue()
    const c = open.length
      ? open.shift()
      : await new Promise((resolve, reject) => {
        const query = { reserve: resolve, reject: e => (queries.remove(query), reject(e)) }
        queries.push(query)
        closed.length && connect(closed.shift(), query)
      })

    move(c, reserved)
    const held = c.reserved = () => queue.length
      ? c.execute(queue.shift())
      : move(c, reserved)
    c.reserved.release = true
    c.onclose = e => { while (queue.length) queue.shift().reject(e) }

    const sql = Sql(handler)
    sql.release = () => {
      if (c.reserved !== held)
        return
      c.reserved = c.onclose = null
      onopen(c)
    }

    return sql

    function handler(q) {
      if (c.reserved !== held)
        return q.reject(Errors.connection('CONNECTION_CLOSED', options))
      c.queue === full
        ? queue.push(q)
        : c.execute(q) || move(c, full)
    }
  }
`,
  ],
];

const QUEUE = [["    shift: () => {\n", `    peek: () => xs[index], ${MARK}\n    shift: () => {\n`]];

/** What earlier versions wrote, with the original code each replaced: undone before patching. */
const LEGACY = {
  "connection.js": [
    [
      "    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n\n    /* sluice: closed socket v2 */\n    if (!socket && !initial)\n      return (queryError(q, Errors.connection('CONNECTION_CLOSED', options)), true)\n",
      "    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n",
    ],
  ],
  "index.js": [
    [
      "    sql.release = () => {\n      c.reserved = null\n      /* sluice: closed socket v2 */\n      c.queue === closed || onopen(c)\n    }",
      "    sql.release = () => {\n      c.reserved = null\n      onopen(c)\n    }",
    ],
  ],
};

function fail(file, why) {
  console.error(`[sluice] cannot patch ${file}: ${why}; postgres.js changed? Review scripts/patch-postgres.mjs`);
  process.exit(1);
}

/** Files to write: nothing is written unless every file could be patched. */
const writes = [];

function patch(file, replacements) {
  if (!existsSync(file)) return;
  let text = readFileSync(file, "utf8");
  if (text.includes(MARK)) return;
  if (OLD_MARKS.some((mark) => text.includes(mark))) {
    for (const [patched, original] of LEGACY[path.basename(file)] ?? []) text = text.split(patched).join(original);
    if (OLD_MARKS.some((mark) => text.includes(mark))) fail(file, "an earlier patch could not be undone");
  }
  for (const [original, patched] of replacements) {
    if (!text.includes(original)) fail(file, `expected code not found:\n${original}`);
    text = text.split(original).join(patched);
  }
  writes.push([file, text]);
}

if (existsSync(root)) {
  for (const flavour of ["src", "cjs/src", "cf/src"]) {
    patch(path.join(root, flavour, "connection.js"), CONNECTION);
    patch(path.join(root, flavour, "index.js"), INDEX);
    patch(path.join(root, flavour, "queue.js"), QUEUE);
  }
  for (const [file, text] of writes) writeFileSync(file, text);
}
