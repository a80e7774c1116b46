import "server-only";
/** The output stage's entry: the rest of the app imports this file, never the files beside it. */
export * from "@/lib/explore/output/accept";
export * from "@/lib/explore/output/content-range";
export * from "@/lib/explore/output/csv-bytes";
export * from "@/lib/explore/output/csv-stream";
export * from "@/lib/explore/output/cursor-rows";
export * from "@/lib/explore/output/raw-values";
