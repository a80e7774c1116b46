import { ApiError, type ErrorCode } from "@/lib/core/errors";

/**
 * Why a table-API request was refused. The HTTP `code` (bad_request, …) is coarse on purpose —
 * it is the app-wide contract — so the stable, fine-grained reason travels in `details.reason`
 * where clients and the grid UI can branch on it.
 */
export type ExploreErrorReason =
  | "unknown_relation"
  | "unknown_column"
  | "unsupported_parameter"
  | "duplicate_parameter"
  | "unsupported_feature"
  | "malformed_select"
  | "duplicate_output_name"
  | "bad_cast"
  | "malformed_filter"
  | "unknown_operator"
  | "operator_not_supported"
  | "malformed_list"
  | "malformed_logic"
  | "bad_value"
  | "malformed_order"
  | "bad_limit"
  | "bad_offset"
  | "malformed_range"
  | "range_not_satisfiable"
  | "bad_prefer"
  | "too_complex"
  | "not_one_row"
  | "unknown_profile"
  | "read_only"
  | "no_relationship"
  | "ambiguous_relationship"
  | "not_embedded"
  | "related_order_not_to_one"
  | "spread_not_to_one"
  | "too_many_rows";

const STATUS_CODE: Partial<Record<ExploreErrorReason, ErrorCode>> = {
  unknown_relation: "not_found",
  range_not_satisfiable: "range_not_satisfiable",
  not_one_row: "not_acceptable",
  unknown_profile: "not_acceptable",
  read_only: "method_not_allowed",
};

export interface ExploreErrorDetails {
  reason: ExploreErrorReason;
  [key: string]: unknown;
}

/** An ApiError, so the route wrapper maps it to `{ error: { code, message, details } }` as is. */
export class ExploreError extends ApiError {
  declare readonly details: ExploreErrorDetails;

  constructor(reason: ExploreErrorReason, message: string, context: Record<string, unknown> = {}) {
    super(STATUS_CODE[reason] ?? "bad_request", message, { ...context, reason });
    this.name = "ExploreError";
  }

  get reason(): ExploreErrorReason {
    return this.details.reason;
  }
}

export function isExploreError(error: unknown): error is ExploreError {
  return error instanceof ExploreError;
}

/** Quotes request text for an error message, clipped so a huge parameter cannot bloat the response. */
/** A name in the words of a PostgREST message (`'projects'`), clipped like `show`: for errors that carry its code. */
export function showPgrst(text: string, max = 80): string {
  return `'${text.length > max ? `${text.slice(0, max)}…` : text}'`;
}

export function show(text: string, max = 80): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(clipped);
}
