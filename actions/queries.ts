"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { ApiError } from "@/lib/core/errors";
import { action } from "@/lib/server/7-action";
import { createSavedQuery, deleteSavedQuery, describeSavedQuery, updateSavedQuery } from "@/lib/explore/saved-queries";
import type { SavedQueryCreateInput } from "@/lib/explore/saved-queries";
import { PARAMETER_TYPES, type ParameterType } from "@/lib/explore/sql";

/**
 * The saved-query form posts flat fields; parameter definitions travel as one
 * JSON field (the form builds them as a list). Shape and meaning are checked by
 * the saved-queries module's own zod schemas — this only decodes the form.
 */
const jsonField = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "the parameter definitions could not be read" });
    return z.NEVER;
  }
});

const formSchema = z.object({
  name: z.string(),
  description: z.string().default(""),
  sql: z.string(),
  parameters: jsonField.default([]),
  shared: z.literal("on").optional(),
  cacheMaxAgeS: z.coerce.number({ message: "enter a number of seconds" }).int("enter whole seconds").default(0),
});

function toInput(form: z.infer<typeof formSchema>) {
  return {
    name: form.name,
    description: form.description,
    sql: form.sql,
    // Still unknown JSON here: createSavedQuery / updateSavedQuery parse it with their schemas.
    parameters: form.parameters as SavedQueryCreateInput["parameters"],
    shared: form.shared === "on",
    cacheMaxAgeS: form.cacheMaxAgeS,
  };
}

export const createQueryAction = action({ name: "queries.create", role: "analyst", schema: formSchema }, async (form, { caller }) => {
  const created = await createSavedQuery({ userId: caller.userId, role: caller.role }, toInput(form));
  revalidatePath("/queries");
  redirect(`/queries/${created.id}?saved=1`);
});

export const updateQueryAction = action(
  { name: "queries.update", role: "analyst", schema: formSchema.extend({ id: z.string() }) },
  async (form, { caller }) => {
    await updateSavedQuery({ userId: caller.userId, role: caller.role }, form.id, toInput(form));
    revalidatePath("/queries");
    redirect(`/queries/${form.id}?saved=1`);
  },
);

/** "Save chart" on a query's page: only the chart changes (null removes it); the store checks who may edit. */
export const saveChartAction = action(
  { name: "queries.chart", role: "analyst", schema: z.object({ id: z.string(), chart: z.string() }) },
  async ({ id, chart }, { caller }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(chart);
    } catch {
      throw new ApiError("bad_request", "the chart settings could not be read");
    }
    await updateSavedQuery({ userId: caller.userId, role: caller.role }, id, { chart: parsed });
    revalidatePath(`/queries/${id}`);
  },
);

export const deleteQueryAction = action({ name: "queries.delete", schema: z.object({ id: z.string() }) }, async ({ id }, { caller }) => {
  await deleteSavedQuery({ userId: caller.userId, role: caller.role }, id);
  revalidatePath("/queries");
  redirect("/queries?deleted=1");
});

/**
 * The editor's type inference: Postgres prepares and describes the SQL (nothing runs) and says
 * what each `{{name}}` is. A refusal (syntax error, missing column) comes back with its position.
 */
/** The form's current definitions, for SQL Postgres can describe only with their types; unreadable ones count as none. */
const declaredTypes = jsonField.pipe(
  z.array(z.object({ name: z.string(), type: z.enum(PARAMETER_TYPES as [ParameterType, ...ParameterType[]]) })).catch([]),
);

export const describeQueryAction = action(
  {
    name: "queries.describe",
    role: "analyst",
    schema: z.object({ sql: z.string().trim().min(1, "write some SQL").max(100_000), parameters: declaredTypes.optional() }),
  },
  async ({ sql, parameters }) => ({ parameters: await describeSavedQuery(sql, parameters ?? []) }),
);
