/** The catalog stage's entry: the rest of the app imports this file, never the files beside it. */
export * from "@/lib/explore/catalog/lookup";
export * from "@/lib/explore/catalog/profile";
export * from "@/lib/explore/catalog/relation-ref";
export * from "@/lib/explore/catalog/types";
