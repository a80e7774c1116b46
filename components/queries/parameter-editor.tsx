"use client";

import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { ParameterDraft } from "@/components/queries/parameter-draft";
import { PARAMETER_TYPE_LABEL, PARAMETER_TYPES, type ParameterType } from "@/lib/explore/sql";

const DEFAULT_HINTS: Record<ParameterType, string> = {
  text: "default text",
  number: "e.g. 9.5",
  integer: "e.g. 100",
  date: "YYYY-MM-DD",
  timestamp: "YYYY-MM-DD HH:MM",
  boolean: "true / false",
  list: "a, b, c",
};

/** The typed definitions of a query's `{{name}}` parameters, one row each. */
export function ParameterEditor({
  drafts,
  used,
  onChange,
}: {
  drafts: ParameterDraft[];
  used: string[];
  onChange: (next: ParameterDraft[]) => void;
}) {
  const usedSet = new Set(used);
  function update(index: number, patch: Partial<ParameterDraft>) {
    onChange(drafts.map((draft, i) => (i === index ? { ...draft, ...patch } : draft)));
  }

  if (drafts.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 px-4 py-3 text-sm text-slate-500">
        No parameters. Write <code className="font-mono text-slate-700">{"{{name}}"}</code> in the SQL where a value should go — a definition appears
        here to give it a type.
      </p>
    );
  }
  return (
    <div className="relative overflow-x-auto">
      <table className="min-w-full text-sm" aria-label="Parameters">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th className="pb-1 pr-2 font-medium">Name</th>
            <th className="pb-1 pr-2 font-medium">Type</th>
            <th className="pb-1 pr-2 font-medium">Label</th>
            <th className="pb-1 pr-2 font-medium">Default</th>
            <th className="pb-1 pr-2 font-medium">Required</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {drafts.map((draft, index) => (
            <tr key={index} className="align-top">
              <td className="py-1 pr-2">
                <Input
                  value={draft.name}
                  onChange={(event) => update(index, { name: event.target.value })}
                  className="w-36 font-mono"
                  aria-label={`Parameter ${index + 1} name`}
                />
                {!usedSet.has(draft.name) ? <span className="text-xs text-amber-700">not used in the SQL</span> : null}
              </td>
              <td className="py-1 pr-2">
                <Select
                  value={draft.type}
                  onChange={(event) => update(index, { type: event.target.value as ParameterType, typeChosen: true })}
                  className="w-44"
                  aria-label={`Parameter ${draft.name} type`}
                >
                  {PARAMETER_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {PARAMETER_TYPE_LABEL[type]}
                    </option>
                  ))}
                </Select>
                {draft.inferred ? (
                  <span className="block text-xs text-slate-500" data-testid={`inferred-${draft.name}`}>
                    Postgres: {draft.inferred.pgType}
                    {draft.typeChosen && draft.inferred.type !== draft.type ? ` (suggests ${draft.inferred.type})` : ""}
                  </span>
                ) : null}
              </td>
              <td className="py-1 pr-2">
                <Input
                  value={draft.label}
                  onChange={(event) => update(index, { label: event.target.value })}
                  placeholder="shown on the run form"
                  className="w-44"
                  aria-label={`Parameter ${draft.name} label`}
                />
              </td>
              <td className="py-1 pr-2">
                <Input
                  value={draft.default}
                  onChange={(event) => update(index, { default: event.target.value })}
                  placeholder={DEFAULT_HINTS[draft.type]}
                  className="w-36"
                  aria-label={`Parameter ${draft.name} default`}
                />
              </td>
              <td className="py-1 pr-2 pt-3 text-center">
                <input
                  type="checkbox"
                  checked={draft.required}
                  onChange={(event) => update(index, { required: event.target.checked })}
                  aria-label={`Parameter ${draft.name} required`}
                />
              </td>
              <td className="py-1">
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => onChange(drafts.filter((_, i) => i !== index))}
                  aria-label={`Remove parameter ${draft.name}`}
                >
                  Remove
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
