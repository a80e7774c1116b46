import "server-only";
/**
 * What a connection's own bytes say about it, read the way PgBouncer reads a server
 * connection before it hands it to the next client: the pool may return a connection only
 * when the last thing the server sent was ReadyForQuery with status 'I' (idle, outside any
 * transaction) and nothing has been written to it since. Anything else — a statement still
 * running, a suspended cursor portal, a result not yet read, an open or failed transaction —
 * is "not clean", and the connection is destroyed instead (see role-pool.ts, the contract).
 *
 * It reads only message headers (a type byte and a 32-bit length) and two message bodies:
 * BackendKeyData (the pid and secret a CancelRequest needs) and ReadyForQuery (the status).
 * A TLS connection's bytes cannot be read: it is "opaque", and the pool falls back to judging
 * the unit of work alone (see Slot.verdict()).
 */
export type TransactionStatus = "I" | "T" | "E";

const READY_FOR_QUERY = 0x5a; // 'Z'
const BACKEND_KEY_DATA = 0x4b; // 'K'
const NOTICE = 0x4e; // 'N'
const PARAMETER_STATUS = 0x53; // 'S'
const DATA_ROW = 0x44; // 'D'
const SSL_REQUEST_CODE = 80877103;
const CANCEL_REQUEST_CODE = 80877102;

export class WireState {
  /** Backend process id and cancel secret, from BackendKeyData; null until the startup finished. */
  pid: number | null = null;
  secret: number | null = null;
  /** The status byte of the last ReadyForQuery, or null before the first one. */
  status: TransactionStatus | null = null;
  /** True when the last complete message from the server was ReadyForQuery and nothing was written since. */
  private readyAndQuiet = false;
  /** TLS was negotiated: the bytes are encrypted and say nothing. */
  opaque = false;
  /**
   * postgres.js may hold bytes for this connection in its own write buffer, which it writes out
   * a turn of the event loop later: set by the driver hook (Slot.open()) whenever it stages a
   * statement or fails one, cleared by the next write, which sends its whole buffer.
   */
  driverMayHoldBytes = false;
  private writes = 0;
  /** Counts every write and every complete message: unchanged between two reads = nothing happened. */
  events = 0;
  // Incoming parse state: a partial header, or the bytes of the current message still to skip.
  private header = Buffer.alloc(5);
  private headerFill = 0;
  private skip = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  private bodyType = 0;
  /**
   * A bound on row data (DataRow bytes) received since the last `resetRowBytes()`, checked on
   * each message's header — before its body is read — so a result that outgrows it is stopped
   * after at most one socket read of it, however large the row (see Slot.limitRowBytes()).
   */
  private rowBytes = 0;
  private rowLimit: { maxBytes: number; exceeded: () => void } | null = null;

  limitRowBytes(maxBytes: number, exceeded: () => void): void {
    this.rowBytes = 0;
    this.rowLimit = { maxBytes, exceeded };
  }

  resetRowBytes(): void {
    this.rowBytes = 0;
  }

  clearRowLimit(): void {
    this.rowLimit = null;
    this.rowBytes = 0;
  }

  /** Idle between statements, outside a transaction, with nothing in flight. */
  get idle(): boolean {
    return !this.opaque && this.readyAndQuiet && this.status === "I";
  }

  /** A statement (or the startup) may be running: something was written the server has not finished answering. */
  get busy(): boolean {
    return !this.opaque && !this.readyAndQuiet;
  }

  onWrite(chunk: Uint8Array | string): void {
    this.driverMayHoldBytes = false;
    if (this.opaque) return;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) return;
    this.events++;
    // The very first message of a connection has no type byte: it may ask for TLS.
    if (this.writes++ === 0 && bytes.length >= 8 && readInt32(bytes, 4) === SSL_REQUEST_CODE) {
      this.opaque = true;
      return;
    }
    this.readyAndQuiet = false;
  }

  onData(chunk: Buffer): void {
    if (this.opaque) return;
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        if (this.body) {
          chunk.copy(this.body, this.bodyFill, at, at + n);
          this.bodyFill += n;
        }
        this.skip -= n;
        at += n;
        if (this.skip === 0) this.finishBufferedMessage();
        continue;
      }
      let length: number;
      if (this.headerFill === 0 && chunk.length - at >= 5) {
        // The common case: the whole header is in this chunk, read where it is.
        this.bodyType = chunk[at]!;
        length = readInt32(chunk, at + 1) - 4;
        at += 5;
      } else {
        const n = Math.min(5 - this.headerFill, chunk.length - at);
        chunk.copy(this.header, this.headerFill, at, at + n);
        this.headerFill += n;
        at += n;
        if (this.headerFill < 5) break;
        this.headerFill = 0;
        this.bodyType = this.header[0]!;
        length = readInt32(this.header, 1) - 4;
      }
      // Any message but a ReadyForQuery means the exchange is still going on — except a notice
      // or a parameter report, which the server may send on its own between statements.
      if (this.bodyType !== NOTICE && this.bodyType !== PARAMETER_STATUS) this.readyAndQuiet = false;
      const wanted = (this.bodyType === READY_FOR_QUERY || this.bodyType === BACKEND_KEY_DATA) && length > 0 && length <= 16;
      this.skip = Math.max(0, length);
      if (this.bodyType === DATA_ROW && this.rowLimit) {
        this.rowBytes += 5 + this.skip;
        if (this.rowBytes > this.rowLimit.maxBytes) {
          const { exceeded } = this.rowLimit;
          this.rowLimit = null;
          exceeded();
        }
      }
      if (wanted && chunk.length - at >= length) {
        // Its body is in this chunk too: read where it is, nothing copied.
        this.finishMessage(chunk, at, length);
        at += length;
        this.skip = 0;
        continue;
      }
      this.body = wanted ? Buffer.alloc(length) : null;
      this.bodyFill = 0;
      if (this.skip === 0) this.finishBufferedMessage();
    }
  }

  private finishBufferedMessage(): void {
    const body = this.body;
    this.body = null;
    this.finishMessage(body, 0, body?.length ?? 0);
  }

  /** A complete message; `body` holds its `length` bytes from `offset` when it is one we read. */
  private finishMessage(body: Uint8Array | null, offset: number, length: number): void {
    this.events++;
    if (this.bodyType === READY_FOR_QUERY && body && length === 1) {
      const status = String.fromCharCode(body[offset]!);
      if (status === "I" || status === "T" || status === "E") this.status = status;
      this.readyAndQuiet = true;
    } else if (this.bodyType === BACKEND_KEY_DATA && body && length === 8) {
      this.pid = readInt32(body, offset);
      this.secret = readInt32(body, offset + 4);
    }
  }
}

/** The 16-byte CancelRequest for a backend. */
export function cancelRequestBytes(pid: number, secret: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeInt32BE(16, 0);
  buffer.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  buffer.writeInt32BE(pid, 8);
  buffer.writeInt32BE(secret, 12);
  return buffer;
}

/** Whether a connection's first write is a CancelRequest (such a socket is not a database connection). */
export function isCancelRequest(chunk: Uint8Array | string): boolean {
  if (typeof chunk === "string" || chunk.length !== 16) return false;
  return readInt32(chunk, 0) === 16 && readInt32(chunk, 4) === CANCEL_REQUEST_CODE;
}

function readInt32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]! | 0;
}
