import postgres from "postgres";
import type { Env } from "@/lib/env";
import { applyGrants, type SetupLog } from "@/db/setup";
import { SEED_VERSION, seedSteps } from "@/db/seed/demo-dataset";

/** The marker the seed leaves on schema `data`, or null when it has not run. */
export async function seedMarker(ownerUrl: string): Promise<string | null> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await owner<{ marker: string | null }[]>`
      select obj_description(oid, 'pg_namespace') as marker from pg_namespace where nspname = 'data'`;
    return row?.marker ?? null;
  } finally {
    await owner.end({ timeout: 5 });
  }
}

export function isSeeded(marker: string | null, scale: number): boolean {
  return marker === `${SEED_VERSION} scale=${scale}`;
}

/** Rebuilds schema `data` from scratch in one transaction: a failed seed leaves the old data. */
export async function seedDatabase(ownerUrl: string, env: Env, options: { scale?: number; log?: SetupLog } = {}): Promise<void> {
  const scale = options.scale ?? 1;
  const log = options.log ?? (() => {});
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  const started = performance.now();
  try {
    await owner.begin(async (tx) => {
      await tx`set local synchronous_commit = off`;
      await tx`set local maintenance_work_mem = '128MB'`;
      const steps = seedSteps(scale);
      for (const [index, step] of steps.entries()) {
        const stepStarted = performance.now();
        await tx.unsafe(step.sql);
        const rows = step.rows ? ` ${step.rows.toLocaleString("en-US")} rows` : "";
        const seconds = ((performance.now() - stepStarted) / 1000).toFixed(1);
        log(`seed [${index + 1}/${steps.length}] ${step.name}${rows} (${seconds}s)`);
      }
    });
    await applyGrants(owner, ownerUrl, env, log);
    log(`seed done in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    await owner.end({ timeout: 5 });
  }
}
