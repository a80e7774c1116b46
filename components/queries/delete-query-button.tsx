"use client";

import { deleteQueryAction } from "@/actions/queries";
import { ActionButton } from "@/components/forms/action-button";

/** Deletes after a confirmation; a refusal (not the owner, gone already) is shown next to the button. */
export function DeleteQueryButton({ id, name }: { id: string; name: string }) {
  return (
    <ActionButton
      action={deleteQueryAction}
      fields={{ id }}
      label="Delete"
      pendingLabel="Deleting…"
      tone="danger"
      confirm={`Delete the saved query “${name}”? API clients calling it will get 404.`}
    />
  );
}
