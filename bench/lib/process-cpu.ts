import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU and memory of the processes under test, from their own kernel counters
 * (/proc/<pid>/stat, all threads of the process; 100 ticks a second). These
 * are the figures that stay stable on a shared machine: a request costs the
 * server the same CPU whether or not another process competes for the core,
 * where req/s and latencies move with every neighbour.
 */
const TICK_US = 10_000; // getconf CLK_TCK = 100 on Linux

interface StatFields {
  ppid: number;
  /** utime + stime of the process itself (all its threads). */
  selfUs: number;
  /** cutime + cstime: children that have exited and been reaped (a Postgres backend that closed). */
  reapedChildrenUs: number;
}

function stat(pid: number): StatFields | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // gone
  }
  // The command name is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (i: number) => Number(fields[i - 3]);
  return { ppid: n(4), selfUs: (n(14) + n(15)) * TICK_US, reapedChildrenUs: (n(16) + n(17)) * TICK_US };
}

/** CPU time a process has used, in microseconds (0 if it is gone). */
export function processCpuUs(pid: number): number {
  return stat(pid)?.selfUs ?? 0;
}

/**
 * CPU of a process and every child it has or had: for the postmaster, its
 * live backends plus the ones that exited (a connection per request leaves
 * its backend's CPU in the postmaster's reaped-children counters).
 */
export function processTreeCpuUs(rootPid: number): number {
  const root = stat(rootPid);
  if (!root) return 0;
  let total = root.selfUs + root.reapedChildrenUs;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === rootPid) total += child.selfUs;
  }
  return total;
}

/** Resident set size in MB (VmRSS). */
export function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** A sampler of RSS every `everyMs` until stopped; returns the samples in MB. */
export function sampleRss(pid: number, everyMs = 500): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(pid)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}
