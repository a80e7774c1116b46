import { defineConfig } from "drizzle-kit";

// Only generation reads this file; migrations are applied by `npm run db:migrate`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema/index.ts",
  out: "./db/migrations",
  schemaFilter: ["app"],
});
