"use client";

import { signOutAction } from "@/actions/auth";
import { ActionButton } from "@/components/forms/action-button";

export function SignOutButton() {
  return <ActionButton action={signOutAction} label="Sign out" pendingLabel="Signing out…" />;
}
