import { migrateDatabase } from "@/db/migrate";
import { setupDatabase } from "@/db/setup";
import { bootstrap, say } from "@/scripts/lib/bootstrap";

const { env, ownerUrl, embedded } = await bootstrap();
try {
  // Roles must exist before grants on new tables can name them.
  await setupDatabase(ownerUrl, env, say);
  await migrateDatabase(ownerUrl, env, say);
} finally {
  await embedded?.stop();
}
