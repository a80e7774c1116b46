import "server-only";
/** The saved-queries stage's entry: the rest of the app imports this file, never the files beside it. */
export * from "@/lib/explore/saved-queries/params";
export * from "@/lib/explore/saved-queries/result-cache";
export * from "@/lib/explore/saved-queries/run";
export * from "@/lib/explore/saved-queries/store";
export * from "@/lib/explore/saved-queries/describe";
