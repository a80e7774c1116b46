import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Calls a server action the way a browser does, without a browser: the
 * action id from the production build's manifest, the arguments encoded with
 * React's own encodeReply, POSTed to the page with a Next-Action header. For
 * tests that replay an action with someone else's cookie (a viewer posting an
 * admin action directly).
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
// The same build the app server runs (tests/support/app-server.ts).
const MANIFEST = path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "server", "server-reference-manifest.json");

interface ManifestEntry {
  filename?: string;
  exportedName?: string;
}

export function serverActionId(filename: string, exportedName: string): string {
  const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as { node: Record<string, ManifestEntry> };
  const found = Object.entries(manifest.node).find(([, entry]) => entry.filename === filename && entry.exportedName === exportedName);
  if (!found) throw new Error(`no server action ${exportedName} from ${filename} in the build; run npm run build`);
  return found[0];
}

type EncodeReply = (value: unknown) => Promise<string | FormData>;
const requireFromNext = createRequire(path.join(ROOT, "node_modules", "next", "package.json"));
const { encodeReply } = requireFromNext("next/dist/compiled/react-server-dom-webpack/client.node") as { encodeReply: EncodeReply };

export interface ActionCall {
  /** The page the form is on, e.g. "/admin/users". */
  page: string;
  filename: string;
  exportedName: string;
  fields: Record<string, string>;
  cookie?: string;
  /** Headers to add or (null) drop, e.g. a foreign Origin. */
  headers?: Record<string, string | null>;
}

export interface ActionResponse {
  status: number;
  body: string;
  /** The action's return value when the response carries one ({ ok, … } from lib/server/7-action.ts). */
  result: { ok: boolean; code?: string; error?: string; data?: unknown } | null;
  location: string | null;
}

export async function callServerAction(appUrl: string, call: ActionCall): Promise<ActionResponse> {
  const form = new FormData();
  for (const [name, value] of Object.entries(call.fields)) form.append(name, value);
  // useActionState actions take (previousState, formData).
  const body = await encodeReply([null, form]);
  const headers: Record<string, string | null> = {
    Accept: "text/x-component",
    "Next-Action": serverActionId(call.filename, call.exportedName),
    Origin: appUrl,
    ...(typeof body === "string" ? { "Content-Type": "text/plain;charset=UTF-8" } : {}),
    ...(call.cookie ? { cookie: call.cookie } : {}),
    ...call.headers,
  };
  const response = await fetch(new URL(call.page, appUrl), {
    method: "POST",
    redirect: "manual",
    headers: Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null)),
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    result: actionResult(text),
    location: response.headers.get("location") ?? response.headers.get("x-action-redirect"),
  };
}

/** Finds the `{"ok":…}` row in the RSC payload. */
function actionResult(payload: string): ActionResponse["result"] {
  for (const line of payload.split("\n")) {
    const json = line.slice(line.indexOf(":") + 1);
    if (!json.startsWith('{"ok":')) continue;
    try {
      return JSON.parse(json) as ActionResponse["result"];
    } catch {
      return null;
    }
  }
  return null;
}
