import "server-only";
/** The sandbox stage's entry: the rest of the app imports this file, never the files beside it. */
export * from "@/lib/explore/sandbox/audit-run";
export * from "@/lib/explore/sandbox/plan-cost";
export * from "@/lib/explore/sandbox/run-sql";
export * from "@/lib/explore/sandbox/sandbox";
export * from "@/lib/explore/sandbox/describe";
