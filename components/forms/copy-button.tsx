"use client";

import { useState } from "react";
import { copyText } from "@/components/ui/copy-text";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    // Clipboard access needs a secure context or permission; the text stays selectable.
    setCopied((await copyText(text)) ? "copied" : "failed");
    setTimeout(() => setCopied("idle"), 2000);
  }
  return (
    <button
      type="button"
      onClick={copy}
      className="shrink-0 rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
    >
      {copied === "copied" ? "Copied" : copied === "failed" ? "Select and copy" : label}
    </button>
  );
}
