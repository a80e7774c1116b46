/**
 * The browser side of a credentials sign-in: next-auth's CSRF round trip and
 * callback POST with json=true, so we navigate ourselves (next-auth's idea of
 * the site URL is never used) and can tell every failure apart.
 */
export type SignInOutcome = { ok: true } | { ok: false; message: string };

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "The e-mail or password is not correct.",
  AccountDisabled: "This account is disabled. Ask an administrator to enable it.",
  Unavailable: "Sign-in is unavailable right now because a required service is down. Try again shortly.",
};

export function signInErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  const [name, seconds] = code.split(":");
  if (name === "RateLimited") {
    const minutes = Math.max(1, Math.ceil(Number(seconds || 60) / 60));
    return `Too many sign-in attempts for this account. Try again in about ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  return MESSAGES[name ?? ""] ?? "Sign-in failed. Try again.";
}

function limitedMessage(response: Response): string {
  const seconds = Number(response.headers.get("retry-after") ?? "60");
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `Too many sign-in attempts from this address. Try again in about ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

async function attempt(email: string, password: string): Promise<SignInOutcome | "csrf"> {
  const csrf = await fetch("/api/auth/csrf", { cache: "no-store" });
  if (csrf.status === 429) return { ok: false, message: limitedMessage(csrf) };
  if (!csrf.ok) return { ok: false, message: MESSAGES.Unavailable! };
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };

  const response = await fetch("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, csrfToken, json: "true" }),
  });
  if (response.status === 429) return { ok: false, message: limitedMessage(response) };
  if (response.status >= 500) return { ok: false, message: MESSAGES.Unavailable! };
  const data = (await response.json().catch(() => null)) as { url?: string } | null;
  const url = data?.url ? new URL(data.url, window.location.href) : null;
  if (url?.searchParams.get("csrf") === "true") return "csrf";
  const error = url?.searchParams.get("error");
  if (response.ok && url && !error) return { ok: true };
  return { ok: false, message: signInErrorMessage(error ?? "CredentialsSignin")! };
}

export async function postCredentials(email: string, password: string): Promise<SignInOutcome> {
  try {
    // A stale CSRF cookie (say, from before a deploy) earns one silent retry.
    const first = await attempt(email, password);
    if (first !== "csrf") return first;
    const second = await attempt(email, password);
    return second === "csrf" ? { ok: false, message: "Your sign-in form expired. Reload the page and try again." } : second;
  } catch {
    return { ok: false, message: "Cannot reach the server. Check your connection and try again." };
  }
}
