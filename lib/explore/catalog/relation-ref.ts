import type { RelationRef } from "@/lib/explore/catalog/types";
import { ExploreError, show } from "@/lib/explore/errors";

/**
 * `{schema}.{name}` from the URL segment. Schemas come from DATA_SCHEMAS, which are plain
 * identifiers without dots, so the first dot separates them and the rest is the name.
 */
export function parseRelationRef(segment: string): RelationRef {
  const dot = segment.indexOf(".");
  if (dot <= 0 || dot === segment.length - 1) {
    throw new ExploreError("unknown_relation", `Name the relation as schema.table; got ${show(segment)}`, { relation: segment });
  }
  return { schema: segment.slice(0, dot), name: segment.slice(dot + 1) };
}
