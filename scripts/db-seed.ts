import { seedDatabase } from "@/db/seed";
import { bootstrap, sayOnce, type Bootstrapped } from "@/scripts/lib/bootstrap";
import { runCli } from "@/scripts/lib/cli-services";

let booted: Bootstrapped | null = null;
await runCli(async () => {
  booted = await bootstrap();
  const say = sayOnce();
  if (!booted.env.DATA_SCHEMAS.includes("data")) say("note: DATA_SCHEMAS does not include `data`; the demo data will not be served");
  await seedDatabase(booted.ownerUrl, booted.env, { scale: booted.env.SEED_SCALE, log: say });
});
await (booted as Bootstrapped | null)?.embedded?.stop();
