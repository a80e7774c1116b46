import { seedDatabase } from "@/db/seed";
import { bootstrap, say } from "@/scripts/lib/bootstrap";

const { env, ownerUrl, embedded } = await bootstrap();
try {
  if (!env.DATA_SCHEMAS.includes("data")) say("note: DATA_SCHEMAS does not include `data`; the demo data will not be served");
  await seedDatabase(ownerUrl, env, { scale: env.SEED_SCALE, log: say });
} finally {
  await embedded?.stop();
}
