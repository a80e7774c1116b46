import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cancelRequestBytes, isCancelRequest, WireState } from "@/lib/db/pool/wire-state";

/** Backend messages as the server frames them: a type byte, a 32-bit length, the body. */
function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const ready = (status: "I" | "T" | "E") => message("Z", Buffer.from(status));
const keyData = (pid: number, secret: number) => {
  const body = Buffer.alloc(8);
  body.writeInt32BE(pid, 0);
  body.writeInt32BE(secret, 4);
  return message("K", body);
};
const dataRow = (text: string) => message("D", Buffer.concat([Buffer.from([0, 1]), Buffer.from([0, 0, 0, text.length]), Buffer.from(text)]));
const startup = Buffer.from([0, 0, 0, 8, 0, 3, 0, 0]);

/** Feeds `bytes` in the given chunk sizes, as a socket may deliver them. */
function feed(state: WireState, bytes: Buffer, cuts: number[] = []) {
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    state.onData(bytes.subarray(at, cut));
    at = cut;
  }
  state.onData(bytes.subarray(at));
}

describe("WireState", () => {
  it("is idle after the startup's ReadyForQuery 'I', with the backend's key", () => {
    const state = new WireState();
    state.onWrite(startup);
    expect(state.busy).toBe(true);
    feed(state, Buffer.concat([message("R", Buffer.alloc(4)), message("S", Buffer.from("a\0b\0")), keyData(4242, -7), ready("I")]));
    expect(state).toMatchObject({ pid: 4242, secret: -7, status: "I" });
    expect(state.idle).toBe(true);
    expect(state.busy).toBe(false);
  });

  it("is busy from the moment something is written until the server's next ReadyForQuery", () => {
    const state = new WireState();
    feed(state, ready("I"));
    state.onWrite(Buffer.from("Q\0\0\0\x0dselect 1\0"));
    expect(state.idle).toBe(false);
    feed(state, Buffer.concat([message("T", Buffer.alloc(10)), dataRow("1"), message("C", Buffer.from("SELECT 1\0"))]));
    expect(state.busy).toBe(true);
    feed(state, ready("I"));
    expect(state.idle).toBe(true);
  });

  it("is not idle inside a transaction, nor in a failed one", () => {
    const state = new WireState();
    feed(state, ready("T"));
    expect(state.idle).toBe(false);
    expect(state.busy).toBe(false);
    feed(state, ready("E"));
    expect(state.idle).toBe(false);
  });

  it("is not idle with a cursor portal suspended (rows arrived, no ReadyForQuery)", () => {
    const state = new WireState();
    feed(state, ready("I"));
    state.onWrite(Buffer.from("B...E...H..."));
    feed(state, Buffer.concat([dataRow("a"), dataRow("b"), message("s")]));
    expect(state.idle).toBe(false);
    expect(state.busy).toBe(true);
  });

  it("stays idle through a notice or parameter report between statements, not through a notification", () => {
    const state = new WireState();
    feed(state, Buffer.concat([ready("I"), message("N", Buffer.from("x\0")), message("S", Buffer.from("a\0b\0"))]));
    expect(state.idle).toBe(true);
    feed(state, message("A", Buffer.alloc(8)));
    expect(state.idle).toBe(false);
  });

  it("reads the same state however the bytes are cut into chunks", () => {
    const stream = Buffer.concat([keyData(99, 12345), ready("I"), dataRow("hello"), message("C", Buffer.from("SELECT 1\0")), ready("T"), ready("I")]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const state = new WireState();
        feed(state, stream, cuts);
        expect(state).toMatchObject({ pid: 99, secret: 12345, status: "I" });
        expect(state.idle).toBe(true);
      }),
    );
  });

  it("gives up reading a TLS connection (opaque) and never calls it idle", () => {
    const state = new WireState();
    state.onWrite(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
    feed(state, ready("I"));
    expect(state.opaque).toBe(true);
    expect(state.idle).toBe(false);
  });
});

describe("CancelRequest bytes", () => {
  it("round-trip through the recogniser; a startup message is not one", () => {
    const bytes = cancelRequestBytes(1234, -99);
    expect(bytes).toHaveLength(16);
    expect(isCancelRequest(bytes)).toBe(true);
    expect(isCancelRequest(startup)).toBe(false);
  });
});
