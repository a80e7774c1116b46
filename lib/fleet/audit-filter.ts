import "server-only";
import { z } from "zod";

/**
 * The audit page's query string: every field optional, dates as UTC days.
 * Parsed with safeParse so a hand-edited URL shows a message, never a 500.
 */
const blankAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const day = z.preprocess(blankAsUndefined, z.iso.date("use a date like 2026-11-29").optional());

export const AUDIT_PAGE_SIZE = 50;
export const MAX_AUDIT_PAGE = 10_000;

export const auditFilterSchema = z
  .object({
    user: z.preprocess(blankAsUndefined, z.string().trim().max(200).optional()),
    action: z.preprocess(
      blankAsUndefined,
      z
        .string()
        .trim()
        .max(100)
        .regex(/^[\w.:-]+$/, "actions look like token.revoke")
        .optional(),
    ),
    from: day,
    to: day,
    page: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(1)),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "the start date is after the end date", path: ["to"] });

export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** First values only: `?action=a&action=b` reads as `a`. */
export function firstValues(params: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
}

export function auditHref(filter: Partial<AuditFilter>, page: number): string {
  const query = new URLSearchParams();
  for (const key of ["user", "action", "from", "to"] as const) {
    const value = filter[key];
    if (value) query.set(key, value);
  }
  if (page > 1) query.set("page", String(page));
  const text = query.toString();
  return text ? `/admin/audit?${text}` : "/admin/audit";
}
