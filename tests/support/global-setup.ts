import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startTestServices } from "@/tests/support/services";
import type { TestDatabaseConfig } from "@/tests/support/test-env";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    database: TestDatabaseConfig;
  }
}

/** Once per Vitest run; files reach the values through `inject(...)`. */
export default async function setup(project: TestProject) {
  const services = await startTestServices();
  project.provide("redisUrl", services.redisUrl);
  project.provide("database", services.database);
  return services.stop;
}
