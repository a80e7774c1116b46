import { setupDatabase } from "@/db/setup";
import { bootstrap, say } from "@/scripts/lib/bootstrap";

const { env, ownerUrl, embedded } = await bootstrap();
try {
  await setupDatabase(ownerUrl, env, say);
  say("roles and grants are in place");
} finally {
  await embedded?.stop();
}
