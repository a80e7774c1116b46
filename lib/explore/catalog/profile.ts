import type { RelationRef } from "@/lib/explore/catalog/types";
import { ExploreError, show } from "@/lib/explore/errors";

/**
 * Which relation a table-API path names, with PostgREST's schema profiles: `Accept-Profile`
 * picks one of the exposed schemas (DATA_SCHEMAS), else the first is the default; our own
 * `schema.table` form keeps working and wins when its prefix is an exposed schema. The
 * profile answered in `Content-Profile` is the schema actually read.
 */
export interface ProfiledRef {
  ref: RelationRef;
  profile: string;
}

/** PostgREST's 406 for a profile outside the exposed schemas (PGRST106). */
function unknownProfile(profile: string, schemas: readonly string[]): ExploreError {
  return new ExploreError("unknown_profile", `Invalid schema: ${show(profile)}`, {
    pgrstCode: "PGRST106",
    profile,
    hint: `Only the following schemas are exposed: ${schemas.join(", ")}`,
  });
}

export function resolveProfiledRef(segment: string, acceptProfile: string | null, schemas: readonly string[]): ProfiledRef {
  if (segment === "") throw new ExploreError("unknown_relation", "Name a relation", { relation: segment });
  const profile = acceptProfile?.trim() || null;
  if (profile !== null && !schemas.includes(profile)) throw unknownProfile(profile, schemas);
  const dot = segment.indexOf(".");
  const prefix = dot > 0 ? segment.slice(0, dot) : null;
  // `schema.table` names its schema itself; with a profile it must be that profile's.
  if (prefix !== null && schemas.includes(prefix) && (profile === null || profile === prefix) && dot < segment.length - 1) {
    return { ref: { schema: prefix, name: segment.slice(dot + 1) }, profile: prefix };
  }
  const schema = profile ?? (schemas[0] as string);
  return { ref: { schema, name: segment }, profile: schema };
}
