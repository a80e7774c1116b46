/** The sql stage's entry: the rest of the app imports this file, never the files beside it. */
export * from "@/lib/explore/sql/builder";
export * from "@/lib/explore/sql/conditions";
export * from "@/lib/explore/sql/count";
export * from "@/lib/explore/sql/explain-json";
export * from "@/lib/explore/sql/json-rows";
export * from "@/lib/explore/sql/parameter-types";
export * from "@/lib/explore/sql/placeholders";
export * from "@/lib/explore/sql/scan";
export * from "@/lib/explore/sql/statement-kind";
export * from "@/lib/explore/sql/text";
