"use client";

import { Button } from "@/components/ui/button";
import { ErrorPanel } from "@/components/ui/error-panel";

/** An unexpected failure while rendering an explorer page; the digest links it to the server log. */
export default function ExploreError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="space-y-4">
      <ErrorPanel title="This page could not be shown">
        Something failed while loading it{error.digest ? ` (reference ${error.digest})` : ""}. Retrying usually helps; if not, tell an administrator.
      </ErrorPanel>
      <Button onClick={reset}>Try again</Button>
    </div>
  );
}
