"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * Calls `onSubmit` at the next form submitted anywhere on the page (other than `except`), while
 * `active`: how one-time notices and shown-once secrets leave the screen at the user's next action.
 */
export function useNextSubmit(active: boolean, onSubmit: () => void, except?: RefObject<HTMLFormElement | null>) {
  const callback = useRef(onSubmit);
  useEffect(() => {
    callback.current = onSubmit;
  });
  useEffect(() => {
    if (!active) return;
    const listener = (event: Event) => {
      if (!except || event.target !== except.current) callback.current();
    };
    document.addEventListener("submit", listener, true);
    return () => document.removeEventListener("submit", listener, true);
  }, [active, except]);
}
