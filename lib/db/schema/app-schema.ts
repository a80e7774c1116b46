import { pgSchema } from "drizzle-orm/pg-core";

/** Everything Sluice itself stores lives here, apart from the data schemas it serves. */
export const appSchema = pgSchema("app");
