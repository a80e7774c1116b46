/** The test's assertions: each is printed as it is made, and any failure fails the run. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export class Checks {
  readonly all: Check[] = [];

  record(name: string, ok: boolean, detail = ""): boolean {
    this.all.push({ name, ok, detail });
    process.stdout.write(`[image test] ${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}\n`);
    return ok;
  }

  /** A check the rest of the run depends on: failing it stops the run. */
  require(name: string, ok: boolean, detail = ""): void {
    if (!this.record(name, ok, detail)) throw new Error(`required check failed: ${name}`);
  }

  get failed(): Check[] {
    return this.all.filter((check) => !check.ok);
  }
}
