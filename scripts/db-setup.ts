import { setupDatabase } from "@/db/setup";
import { bootstrap, sayOnce, type Bootstrapped } from "@/scripts/lib/bootstrap";
import { runCli } from "@/scripts/lib/cli-services";

let booted: Bootstrapped | null = null;
await runCli(async () => {
  booted = await bootstrap();
  const say = sayOnce();
  await setupDatabase(booted.ownerUrl, booted.env, say);
  say("roles and grants are in place");
});
await (booted as Bootstrapped | null)?.embedded?.stop();
