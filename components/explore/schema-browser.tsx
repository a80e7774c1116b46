"use client";

import Link from "next/link";
import { useDeferredValue, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { relationPath } from "@/components/explore/grid-query";

export interface BrowserColumn {
  name: string;
  type: string;
  nullable: boolean;
  comment: string | null;
  primaryKey: boolean;
}

export interface BrowserRelation {
  schema: string;
  name: string;
  kind: "table" | "view";
  estimatedRows: number | null;
  comment: string | null;
  columns: BrowserColumn[];
}

const number = new Intl.NumberFormat("en-US");

function matches(relation: BrowserRelation, needle: string): { relation: boolean; columns: Set<string> } {
  const inRelation = `${relation.schema}.${relation.name} ${relation.comment ?? ""}`.toLowerCase().includes(needle);
  const columns = new Set(
    relation.columns
      .filter((column) => `${column.name} ${column.type} ${column.comment ?? ""}`.toLowerCase().includes(needle))
      .map((column) => column.name),
  );
  return { relation: inRelation, columns };
}

/** Every table and view of the data schemas, searchable by relation, column, type or comment. */
export function SchemaBrowser({ relations }: { relations: BrowserRelation[] }) {
  const [search, setSearch] = useState("");
  const needle = useDeferredValue(search.trim().toLowerCase());
  const shown = relations
    .map((relation) => ({ relation, hit: needle ? matches(relation, needle) : null }))
    .filter(({ hit }) => !hit || hit.relation || hit.columns.size > 0);
  const schemas = [...new Set(shown.map(({ relation }) => relation.schema))];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <Input
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Search tables, views, columns, types or comments"
          aria-label="Search the catalog"
          className="max-w-md"
        />
        <span className="text-sm text-slate-500" data-testid="catalog-count">
          {shown.length} of {relations.length} relations
        </span>
      </div>
      {shown.length === 0 ? (
        <EmptyState title={relations.length === 0 ? "No tables to show" : "Nothing matches your search"}>
          {relations.length === 0
            ? "The readonly role cannot see any table or view in the configured data schemas (DATA_SCHEMAS)."
            : "Try a shorter word, or search for a column name."}
        </EmptyState>
      ) : null}
      {schemas.map((schema) => (
        <section key={schema} className="space-y-3" aria-label={`Schema ${schema}`}>
          <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">
            Schema <span className="font-mono normal-case text-slate-800">{schema}</span>
          </h2>
          <div className="grid gap-3">
            {shown
              .filter(({ relation }) => relation.schema === schema)
              .map(({ relation, hit }) => (
                <RelationCard key={relation.name} relation={relation} highlight={hit?.columns ?? null} />
              ))}
          </div>
        </section>
      ))}
    </div>
  );
}

function RelationCard({ relation, highlight }: { relation: BrowserRelation; highlight: Set<string> | null }) {
  const href = `/explore/${relationPath(relation.schema, relation.name)}`;
  return (
    <article className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="relation-card">
      <div className="flex flex-wrap items-center gap-3">
        <Link href={href} className="font-mono text-base font-semibold text-brand-700 hover:underline">
          {relation.schema}.{relation.name}
        </Link>
        <Badge tone={relation.kind === "view" ? "warning" : "brand"}>{relation.kind}</Badge>
        <span className="text-sm text-slate-500">
          {relation.estimatedRows !== null ? `≈ ${number.format(relation.estimatedRows)} rows` : "row count unknown"} · {relation.columns.length}{" "}
          columns
        </span>
        <Link href={href} className="ml-auto text-sm font-medium text-brand-600 hover:text-brand-700">
          Open grid →
        </Link>
      </div>
      {relation.comment ? <p className="mt-1 text-sm text-slate-600">{relation.comment}</p> : null}
      <details className="mt-2" open={highlight !== null && highlight.size > 0}>
        <summary className="cursor-pointer text-sm text-slate-500 hover:text-slate-800">Columns</summary>
        <table className="mt-2 w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-4 font-medium">Name</th>
              <th className="py-1 pr-4 font-medium">Type</th>
              <th className="py-1 pr-4 font-medium">Null</th>
              <th className="py-1 font-medium">Comment</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {relation.columns.map((column) => (
              <tr key={column.name} className={highlight?.has(column.name) ? "bg-amber-50" : undefined}>
                <td className="py-1 pr-4 font-mono">
                  {column.name}
                  {column.primaryKey ? (
                    <span className="ml-2">
                      <Badge tone="success" title="primary key">
                        PK
                      </Badge>
                    </span>
                  ) : null}
                </td>
                <td className="py-1 pr-4 font-mono text-slate-600">{column.type}</td>
                <td className="py-1 pr-4 text-slate-500">{column.nullable ? "yes" : "no"}</td>
                <td className="py-1 text-slate-600">{column.comment ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </article>
  );
}
