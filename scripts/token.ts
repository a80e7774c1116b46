import { parseArgs } from "node:util";
import { say, type Bootstrapped } from "@/scripts/lib/bootstrap";
import { bootstrapCli, CliError, runCli, shutdownCli } from "@/scripts/lib/cli-services";

/**
 * API tokens from the command line, through the same functions as the
 * settings page (lib/auth/token-service.ts):
 *   npm run token -- create --email E --name N --scopes tables:read,queries:run [--expires 30d]
 *   npm run token -- list --email E
 *   npm run token -- revoke --token slc_… | --id ID [--email E]
 * `create` prints the token alone on its last line, for `| tail -n 1`.
 */
const HELP = `usage: npm run token -- create --email E --name N --scopes tables:read,queries:run [--expires 30d|12h|2w|1y|never]
       npm run token -- list --email E
       npm run token -- revoke --token slc_… | --id ID [--email E]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    name: { type: "string" },
    scopes: { type: "string" },
    expires: { type: "string" },
    token: { type: "string" },
    id: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

const iso = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z"));

let booted: Bootstrapped | null = null;
await runCli(async () => {
  const command = positionals[0];
  if (values.help || !command) return void console.log(HELP);
  if (!["create", "list", "revoke"].includes(command)) throw new CliError(`unknown command ${command}\n${HELP}`);
  booted = await bootstrapCli({ needRedis: true });
  const users = await import("@/lib/db/queries/users");
  const { TOKEN_SCOPES } = await import("@/lib/core/caller");
  const { parseExpiry } = await import("@/lib/auth/token-format");
  const { issueToken, withdrawToken } = await import("@/lib/auth/token-service");
  const { listTokens } = await import("@/lib/auth/tokens");
  const actor = { userId: null, via: "cli" as const, ip: null };

  const userByEmail = async () => {
    if (!values.email) throw new CliError(`--email is required\n${HELP}`);
    const user = await users.findUserByEmail(values.email);
    if (!user) throw new CliError(`no user with e-mail ${values.email}`);
    return user;
  };

  if (command === "create") {
    const user = await userByEmail();
    if (user.disabled) throw new CliError(`${user.email} is disabled`);
    if (!values.name) throw new CliError("--name is required");
    const scopes = (values.scopes ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = scopes.filter((scope) => !(TOKEN_SCOPES as readonly string[]).includes(scope));
    if (unknown.length || scopes.length === 0) throw new CliError(`--scopes takes a comma-separated list of: ${TOKEN_SCOPES.join(", ")}`);
    let lifetimeMs: number | null;
    try {
      lifetimeMs = parseExpiry(values.expires ?? "never");
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const { token, meta } = await issueToken(actor, {
      owner: { id: user.id, role: user.role },
      name: values.name,
      scopes: scopes as (typeof TOKEN_SCOPES)[number][],
      lifetimeMs,
    });
    say(`created token ${meta.id} "${meta.name}" for ${user.email} · scopes ${meta.scopes.join(",")} · expires ${iso(meta.expiresAt)}`);
    say("the token follows; it is shown only this once");
    process.stdout.write(`${token}\n`);
    return;
  }

  if (command === "list") {
    const user = await userByEmail();
    const tokens = await listTokens(user.id);
    if (tokens.length === 0) {
      say(`${user.email} has no tokens`);
      return;
    }
    console.log(["id", "name", "scopes", "created", "expires", "last used"].join("\t"));
    for (const t of tokens) console.log([t.id, t.name, t.scopes.join(","), iso(t.createdAt), iso(t.expiresAt), iso(t.lastUsedAt)].join("\t"));
    return;
  }

  // revoke
  if (values.token) {
    const revoked = await withdrawToken(actor, { token: values.token });
    if (!revoked) throw new CliError("no such token (already revoked, expired, or mistyped)");
    say(`revoked token ${revoked.id} "${revoked.name}"`);
    return;
  }
  if (!values.id) throw new CliError(`revoke needs --token or --id\n${HELP}`);
  // Ids are per user in Redis; without --email, look through every user's tokens.
  const owners = values.email ? [await userByEmail()] : await users.listUsers();
  for (const owner of owners) {
    const revoked = await withdrawToken(actor, { userId: owner.id, id: values.id });
    if (revoked) {
      say(`revoked token ${revoked.id} "${revoked.name}" of ${owner.email}`);
      return;
    }
  }
  throw new CliError(`no token with id ${values.id}`);
});
await shutdownCli(booted);
