import { findPlaceholders, type ParameterType } from "@/lib/explore/sql";

/** What Postgres inferred for a placeholder (the describe action's answer). */
export interface InferredType {
  name: string;
  type: ParameterType;
  pgType: string;
}

/** One parameter definition as the form edits it: every field a string until it is sent. */
export interface ParameterDraft {
  name: string;
  type: ParameterType;
  label: string;
  default: string;
  required: boolean;
  /** Whether the type is the user's (or the stored query's) choice; until then an inferred type replaces it. */
  typeChosen: boolean;
  /** The type Postgres inferred for this placeholder, when the SQL last described. */
  inferred?: InferredType;
}

export interface StoredParameter {
  name: string;
  type: ParameterType;
  label?: string;
  default?: string | number | string[];
  required?: boolean;
}

export function toDraft(parameter: StoredParameter): ParameterDraft {
  const value = parameter.default;
  return {
    name: parameter.name,
    type: parameter.type,
    label: parameter.label ?? "",
    default: value === undefined ? "" : Array.isArray(value) ? value.join(", ") : String(value),
    required: parameter.required ?? true,
    typeChosen: true,
  };
}

/** What the saved-query schema expects; a number that does not parse is sent as text so the server names the problem. */
export function fromDraft(draft: ParameterDraft): StoredParameter {
  const out: StoredParameter = { name: draft.name.trim(), type: draft.type, required: draft.required };
  if (draft.label.trim()) out.label = draft.label.trim();
  const text = draft.default.trim();
  if (text !== "") {
    if (draft.type === "list") out.default = text.split(",").map((item) => item.trim());
    else if (draft.type === "number" && Number.isFinite(Number(text))) out.default = Number(text);
    else out.default = text;
  }
  return out;
}

/** The distinct `{{name}}` placeholders of the SQL, in order of first use. */
export function placeholderNames(sql: string): string[] {
  return [...new Set(findPlaceholders(sql).map((placeholder) => placeholder.name))];
}

/** Adds a definition (type text until Postgres says otherwise, required) for each placeholder that has none; keeps the rest as they are. */
export function withMissingParameters(drafts: ParameterDraft[], sql: string): ParameterDraft[] {
  const known = new Set(drafts.map((draft) => draft.name));
  const missing = placeholderNames(sql).filter((name) => !known.has(name));
  if (missing.length === 0) return drafts;
  return [...drafts, ...missing.map((name) => ({ name, type: "text" as const, label: "", default: "", required: true, typeChosen: false }))];
}

/** Records what Postgres inferred, and makes it the type of every definition whose type nobody chose. */
export function withInferredTypes(drafts: ParameterDraft[], inferred: readonly InferredType[]): ParameterDraft[] {
  const byName = new Map(inferred.map((entry) => [entry.name, entry]));
  return drafts.map((draft) => {
    const found = byName.get(draft.name.trim());
    if (!found) return draft;
    return { ...draft, inferred: found, type: draft.typeChosen ? draft.type : found.type };
  });
}

/** Placeholders the last describe said nothing about: the editor asks Postgres again once the SQL changes. */
export function uninferredNames(drafts: readonly ParameterDraft[], sql: string): string[] {
  const inferred = new Set(drafts.filter((draft) => draft.inferred).map((draft) => draft.name.trim()));
  return placeholderNames(sql).filter((name) => !inferred.has(name));
}
