import net from "node:net";
import { percentile } from "@/bench/lib/percentile";
import type { RequestSpec } from "@/bench/lib/request-spec";

/**
 * Open-loop load: requests leave at a fixed arrival rate whatever the server
 * does, the way users arrive, where a closed loop (wrk, autocannon) slows its
 * own sending when the server slows and so hides overload. Latency is counted
 * from each request's scheduled departure, not from when a socket was free
 * (no coordinated omission). Raw keep-alive sockets and pre-built request
 * bytes keep the generator cheap (its CPU is reported beside the server's);
 * a new connection is opened whenever every open one is busy.
 */
export interface OpenLoopOptions extends RequestSpec {
  ratePerS: number;
  maxSockets?: number;
}

export interface StatusFigures {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface OpenLoopResult {
  offered: number;
  offeredPerS: number;
  completed: number;
  byStatus: Record<string, StatusFigures>;
  /** 2xx responses per second of the run. */
  goodputPerS: number;
  timeouts: number;
  socketErrors: number;
  /** Requests not sent because maxSockets were all busy (the generator, not the server, was the limit). */
  notSent: number;
  /** Requests sent again once, on a fresh connection, because the kept one closed before any answer (as HTTP clients retry idempotent requests). */
  retried: number;
  socketsOpened: number;
  generatorCpuMs: number;
}

interface Pending {
  scheduledAt: number;
  request: number;
  retried: boolean;
}

/** Incremental parser for one keep-alive connection's responses (Content-Length or chunked). */
class ResponseReader {
  private buffer: Buffer = Buffer.alloc(0);
  private status = 0;
  private remaining = -1; // body bytes left (Content-Length), or -1 while in the head
  private chunked = false;

  /** Feeds bytes; returns the statuses of the responses completed by them. */
  feed(data: Buffer): number[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    const done: number[] = [];
    for (;;) {
      if (this.remaining < 0 && !this.chunked) {
        const end = this.buffer.indexOf("\r\n\r\n");
        if (end < 0) return done;
        const head = this.buffer.subarray(0, end).toString("latin1");
        this.buffer = this.buffer.subarray(end + 4);
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        this.remaining = this.chunked ? -1 : length ? Number(length[1]) : 0;
      }
      if (this.chunked) {
        const line = this.buffer.indexOf("\r\n");
        if (line < 0) return done;
        const size = parseInt(this.buffer.subarray(0, line).toString("latin1"), 16);
        if (this.buffer.length < line + 2 + size + 2) return done;
        this.buffer = this.buffer.subarray(line + 2 + size + 2);
        if (size === 0) {
          this.chunked = false;
          this.remaining = -1;
          done.push(this.status);
        }
        continue;
      }
      if (this.buffer.length < this.remaining) return done;
      this.buffer = this.buffer.subarray(this.remaining);
      this.remaining = -1;
      done.push(this.status);
    }
  }
}

function requestBytes(options: OpenLoopOptions, host: string): Buffer[] {
  const headers = { host, ...(options.headers ?? {}) } as Record<string, string>;
  if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  return options.paths.map((p) => Buffer.from(`${options.method ?? "GET"} ${p} HTTP/1.1\r\n${head}\r\n${options.body ?? ""}`));
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(options.url);
  const port = Number(url.port || 80);
  const requests = requestBytes(options, url.host);
  const timeoutMs = (options.timeoutS ?? 10) * 1000;
  const maxSockets = options.maxSockets ?? 4096;
  const latencies: Record<string, number[]> = {};
  const idle: net.Socket[] = [];
  const inFlight = new Map<net.Socket, Pending[]>();
  let opened = 0;
  let timeouts = 0;
  let socketErrors = 0;
  let notSent = 0;
  let retried = 0;
  let completed = 0;
  let sent = 0;
  let nextRequest = 0;

  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const endsAt = startedAt + options.durationS * 1000;
  const total = Math.floor(options.ratePerS * options.durationS);

  const openSocket = (): net.Socket => {
    opened++;
    const socket = net.connect({ host: url.hostname, port, noDelay: true });
    const reader = new ResponseReader();
    inFlight.set(socket, []);
    socket.on("data", (data: Buffer) => {
      const now = performance.now();
      const queue = inFlight.get(socket)!;
      for (const status of reader.feed(data)) {
        const pending = queue.shift();
        if (!pending) continue;
        completed++;
        (latencies[status] ??= []).push(now - pending.scheduledAt);
      }
      if (queue.length === 0 && !socket.destroyed) idle.push(socket);
    });
    const fail = () => {
      const queue = inFlight.get(socket);
      inFlight.delete(socket);
      const i = idle.indexOf(socket);
      if (i >= 0) idle.splice(i, 1);
      for (const pending of queue ?? []) {
        // The connection closed before the request's answer (a kept connection the server timed
        // out as the request went out): sent again once on a fresh one, as HTTP clients do for
        // idempotent requests; a second loss is a failure. The count is reported.
        if (!pending.retried) {
          retried++;
          const fresh = openSocket();
          inFlight.get(fresh)!.push({ ...pending, retried: true });
          fresh.write(requests[pending.request]!);
        } else socketErrors++;
      }
    };
    socket.on("error", fail);
    socket.on("close", fail);
    return socket;
  };

  const send = (scheduledAt: number) => {
    let socket = idle.pop();
    while (socket && (socket.destroyed || !inFlight.has(socket))) socket = idle.pop();
    if (!socket) {
      if (inFlight.size >= maxSockets) {
        notSent++;
        return;
      }
      socket = openSocket();
    }
    inFlight.get(socket)!.push({ scheduledAt, request: nextRequest, retried: false });
    socket.write(requests[nextRequest]!);
    nextRequest = (nextRequest + 1) % requests.length;
    sent++;
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Every request whose departure time has come leaves now, stamped with that time.
      const due = Math.min(total, Math.floor(((now - startedAt) / 1000) * options.ratePerS));
      while (sent + notSent < due) send(startedAt + ((sent + notSent) / options.ratePerS) * 1000);
      // Requests older than the timeout: their sockets are given up.
      for (const [socket, queue] of inFlight) {
        if (queue.length && now - queue[0]!.scheduledAt > timeoutMs) {
          timeouts += queue.length;
          queue.length = 0;
          inFlight.delete(socket);
          socket.destroy();
        }
      }
      const outstanding = [...inFlight.values()].reduce((n, q) => n + q.length, 0);
      if (now >= endsAt && sent + notSent >= total && (outstanding === 0 || now > endsAt + timeoutMs)) {
        timeouts += outstanding;
        resolve();
        return;
      }
      setTimeout(tick, 1);
    };
    tick();
  });
  for (const socket of inFlight.keys()) socket.destroy();
  const cpu = process.cpuUsage(cpuBefore);

  const byStatus: Record<string, StatusFigures> = {};
  let good = 0;
  for (const [status, values] of Object.entries(latencies)) {
    values.sort((a, b) => a - b);
    if (status.startsWith("2")) good += values.length;
    byStatus[status] = {
      count: values.length,
      p50: round(percentile(values, 0.5)),
      p99: round(percentile(values, 0.99)),
      max: round(values.at(-1) ?? 0),
    };
  }
  return {
    offered: sent + notSent,
    offeredPerS: round((sent + notSent) / options.durationS),
    completed,
    byStatus,
    goodputPerS: round(good / options.durationS),
    timeouts,
    socketErrors,
    notSent,
    retried,
    socketsOpened: opened,
    generatorCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
