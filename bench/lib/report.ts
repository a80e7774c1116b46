import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ScenarioResult } from "@/bench/lib/context";

export interface RunInfo {
  date: string;
  mode: "quick" | "full";
  durationS: number;
  machine: string;
  postgres: string;
  redis: string;
  node: string;
  command: string;
}

/** Writes bench/results/<date>.json, <date>.md and the charts; returns the Markdown path. */
export function writeReport(dir: string, info: RunInfo, scenarios: ScenarioResult[]): string {
  mkdirSync(dir, { recursive: true });
  const stem = `${info.date}-${info.mode}`;
  writeFileSync(
    path.join(dir, `${stem}.json`),
    JSON.stringify({ info, scenarios: scenarios.map(({ chart, ...rest }) => ({ ...rest, chart: chart?.file })) }, null, 2) + "\n",
  );

  const lines: string[] = [
    `# Sluice benchmark — ${info.date} (${info.mode} mode)`,
    "",
    `Produced by \`${info.command}\` on ${info.machine}; Node ${info.node}, ${info.postgres}, Redis ${info.redis}. ` +
      `Each measured load ran ${info.durationS} s: closed loops with \`wrk\` (one thread), open loops with the fixed-rate generator in \`bench/lib/open-loop.ts\`. ` +
      "Every process shares the machine's cores, so req/s and latencies move with the neighbours; the CPU microseconds per request come from each process's own counters (`/proc/<pid>/stat`) and hold still.",
    "",
    "## Targets",
    "",
    "| target | goal | measured | met |",
    "| --- | --- | --- | --- |",
    ...scenarios.flatMap((s) => s.targets.map((t) => `| ${t.name} | ${t.goal} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`)),
    "",
  ];
  for (const scenario of scenarios) {
    lines.push(`## ${scenario.title}`, "");
    lines.push(`| ${scenario.table.header.join(" | ")} |`, `| ${scenario.table.header.map(() => "---").join(" | ")} |`);
    for (const row of scenario.table.rows) lines.push(`| ${row.join(" | ")} |`);
    lines.push("");
    if (scenario.chart) {
      const file = `${stem}-${scenario.chart.file}`;
      writeFileSync(path.join(dir, file), scenario.chart.svg + "\n");
      lines.push(`![${scenario.title}](${file})`, "");
    }
    for (const note of scenario.notes ?? []) lines.push(`- ${note}`);
    if (scenario.notes?.length) lines.push("");
  }
  if (scenarios.some((s) => s.targets.some((t) => !t.met))) {
    // Hand-written, kept beside the reports: measurements belong to a run, the reasons to the code.
    lines.push(
      "## Why the missed targets are missed",
      "",
      "See [ANALYSIS.md](ANALYSIS.md) (written against the latest full run) and the CPU profile in [PROFILE.md](PROFILE.md) (`npm run bench:profile`).",
      "",
    );
  }
  const md = path.join(dir, `${stem}.md`);
  writeFileSync(md, lines.join("\n"));
  // The README links LATEST.md: the newest full run (quick runs are CI's smoke test).
  if (info.mode === "full") writeFileSync(path.join(dir, "LATEST.md"), lines.join("\n"));
  return md;
}
