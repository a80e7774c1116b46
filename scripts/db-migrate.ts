import { migrateDatabase } from "@/db/migrate";
import { setupDatabase } from "@/db/setup";
import { bootstrap, sayOnce, type Bootstrapped } from "@/scripts/lib/bootstrap";
import { runCli } from "@/scripts/lib/cli-services";

let booted: Bootstrapped | null = null;
await runCli(async () => {
  booted = await bootstrap();
  // Setup and the grants after the migration report the same degradations: say each once.
  const say = sayOnce();
  // Roles must exist before grants on new tables can name them.
  await setupDatabase(booted.ownerUrl, booted.env, say);
  await migrateDatabase(booted.ownerUrl, booted.env, say);
});
await (booted as Bootstrapped | null)?.embedded?.stop();
