import net from "node:net";
import { freePort } from "@/lib/db/embedded";

/**
 * A TCP proxy in front of a Redis that records what its clients send: every command (name and
 * arguments, RESP arrays as ioredis writes them), grouped by the chunk of bytes it arrived in.
 * ioredis writes a pipeline with one socket write, so on loopback a chunk is one batch the
 * client then waits on — one round trip. Counting, not timing.
 */
export interface TappedChunk {
  /** Commands completed in this chunk, upper-cased name first. */
  commands: string[][];
}

export class RedisTap {
  readonly chunks: TappedChunk[] = [];
  private readonly sockets = new Set<net.Socket>();

  private server: net.Server | null = null;

  private constructor(
    readonly port: number,
    private readonly target: URL,
  ) {}

  static async start(targetUrl: string): Promise<RedisTap> {
    const tap = new RedisTap(await freePort(), new URL(targetUrl));
    tap.server = net.createServer((client) => tap.relay(client));
    await new Promise<void>((resolve) => tap.server!.listen(tap.port, "127.0.0.1", resolve));
    return tap;
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(Number(this.target.port || 6379), this.target.hostname);
    this.sockets.add(client).add(upstream);
    const parser = new RespCommandParser();
    client.on("data", (data: Buffer) => {
      const commands = parser.push(data);
      if (commands.length > 0) this.chunks.push({ commands });
      upstream.write(data);
    });
    upstream.on("data", (data: Buffer) => client.write(data));
    for (const socket of [client, upstream]) {
      socket.on("error", () => undefined);
      socket.on("close", () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(socket);
      });
    }
  }

  url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Chunks recorded from `from` on. */
  since(from: number): TappedChunk[] {
    return this.chunks.slice(from);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Incremental RESP parser for what a client sends: arrays of bulk strings. */
class RespCommandParser {
  private buffer = Buffer.alloc(0);

  push(data: Buffer): string[][] {
    this.buffer = Buffer.concat([this.buffer, data]);
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.next();
      if (!parsed) break;
      commands.push(parsed);
    }
    return commands;
  }

  private next(): string[] | null {
    const line = (at: number) => {
      const end = this.buffer.indexOf("\r\n", at);
      return end === -1 ? null : { text: this.buffer.toString("latin1", at, end), next: end + 2 };
    };
    const head = line(0);
    if (!head) return null;
    if (!head.text.startsWith("*")) throw new Error(`RedisTap: unexpected client bytes ${JSON.stringify(head.text.slice(0, 20))}`);
    const count = Number(head.text.slice(1));
    const args: string[] = [];
    let at = head.next;
    for (let i = 0; i < count; i++) {
      const size = line(at);
      if (!size) return null;
      const length = Number(size.text.slice(1));
      if (this.buffer.length < size.next + length + 2) return null;
      args.push(this.buffer.toString("utf8", size.next, size.next + length));
      at = size.next + length + 2;
    }
    this.buffer = this.buffer.subarray(at);
    if (args[0]) args[0] = args[0].toUpperCase();
    return args;
  }
}
