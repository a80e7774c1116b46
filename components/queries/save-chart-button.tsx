"use client";

import { useState, useTransition } from "react";
import { saveChartAction } from "@/actions/queries";
import type { ChartSettings } from "@/components/charts/chart-data";
import { Button } from "@/components/ui/button";

/** Saves the chart's current settings with the query, for everyone who can see it. */
export function SaveChartButton({ id, settings, saved }: { id: string; settings: ChartSettings | null; saved: ChartSettings | null }) {
  const [pending, startTransition] = useTransition();
  const [outcome, setOutcome] = useState<{ for: string; ok: boolean; message: string } | null>(null);
  const current = JSON.stringify(settings);
  const unchanged = current === JSON.stringify(saved) && !outcome;

  function save() {
    const form = new FormData();
    form.set("id", id);
    form.set("chart", current);
    startTransition(async () => {
      const result = await saveChartAction(null, form);
      setOutcome({ for: current, ok: result.ok, message: result.ok ? "Chart saved." : result.error });
    });
  }

  // A message belongs to the settings it was about; changing the chart clears it.
  const message = outcome && outcome.for === current ? outcome : null;
  return (
    <>
      {message ? (
        <span role="status" className={`text-xs ${message.ok ? "text-emerald-700" : "text-rose-700"}`}>
          {message.message}
        </span>
      ) : null}
      <Button size="sm" variant="primary" onClick={save} disabled={pending || unchanged || message?.ok === true}>
        {pending ? "Saving…" : "Save chart"}
      </Button>
    </>
  );
}
