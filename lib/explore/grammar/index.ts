/** The grammar stage's entry: the rest of the app imports this file, never the files beside it. */
export * from "@/lib/explore/grammar/ast";
export * from "@/lib/explore/grammar/column-types";
export * from "@/lib/explore/grammar/filter";
export * from "@/lib/explore/grammar/json-path";
export * from "@/lib/explore/grammar/limits";
export * from "@/lib/explore/grammar/logic";
export * from "@/lib/explore/grammar/order";
export * from "@/lib/explore/grammar/paging";
export * from "@/lib/explore/grammar/parse";
export * from "@/lib/explore/grammar/scan";
export * from "@/lib/explore/grammar/select";
export * from "@/lib/explore/grammar/value-checks";
