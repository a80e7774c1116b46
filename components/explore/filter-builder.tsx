"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { FILTER_OPERATORS, filterValue, type FilterOperator } from "@/components/explore/grid-query";

export interface ColumnInfo {
  name: string;
  type: string;
}

const PLACEHOLDERS: Partial<Record<FilterOperator, string>> = {
  like: "e.g. *smith*",
  ilike: "e.g. *smith*",
  in: "e.g. paid,shipped",
  is: "null, not_null, true or false",
};

/** Column, operator and value → one `column=[not.]op.value` parameter. */
export function FilterBuilder({ columns, onAdd }: { columns: ColumnInfo[]; onAdd: (column: string, value: string) => void }) {
  const [column, setColumn] = useState(columns[0]?.name ?? "");
  const [op, setOp] = useState<FilterOperator>("eq");
  const [negated, setNegated] = useState(false);
  const [value, setValue] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!column || (value.trim() === "" && op !== "eq" && op !== "neq")) return;
    onAdd(column, filterValue(op, value, negated));
    setValue("");
  }

  const type = columns.find((entry) => entry.name === column)?.type;
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Add a filter">
      <label className="space-y-1">
        <span className="block text-xs font-medium text-slate-500">Column</span>
        <Select value={column} onChange={(event) => setColumn(event.target.value)} className="w-44" aria-label="Filter column">
          {columns.map((entry) => (
            <option key={entry.name} value={entry.name}>
              {entry.name}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex items-center gap-1.5 pb-2 text-sm text-slate-600">
        <input type="checkbox" checked={negated} onChange={(event) => setNegated(event.target.checked)} aria-label="Negate (not)" />
        not
      </label>
      <label className="space-y-1">
        <span className="block text-xs font-medium text-slate-500">Operator</span>
        <Select value={op} onChange={(event) => setOp(event.target.value as FilterOperator)} className="w-52" aria-label="Filter operator">
          {FILTER_OPERATORS.map((entry) => (
            <option key={entry.op} value={entry.op}>
              {entry.op} — {entry.label}
            </option>
          ))}
        </Select>
      </label>
      <label className="space-y-1">
        <span className="block text-xs font-medium text-slate-500">
          Value{type ? <span className="ml-1 font-mono font-normal">({type})</span> : null}
        </span>
        <Input
          value={value}
          onChange={(event) => setValue(event.target.value)}
          placeholder={PLACEHOLDERS[op] ?? "value"}
          className="w-56"
          aria-label="Filter value"
        />
      </label>
      <Button type="submit" variant="primary">
        Add filter
      </Button>
    </form>
  );
}
