import { parseArgs } from "node:util";
import { bootstrapCli, CliError, runCli, shutdownCli } from "@/scripts/lib/cli-services";
import { promptSecret } from "@/scripts/lib/prompt-secret";
import { say, type Bootstrapped } from "@/scripts/lib/bootstrap";

/**
 * `npm run create-admin -- --email E [--reset-password]`
 *
 * Creates an admin, or makes an existing user one (enabled). The password
 * comes from ADMIN_PASSWORD, else a prompt on a terminal, else it is
 * generated and printed once. An existing user keeps their password unless
 * --reset-password (or ADMIN_PASSWORD) asks for a new one.
 *
 * `--if-none` (used by `npm run dev`): only when no enabled admin exists,
 * create one (default e-mail admin@sluice.localhost) with a generated password.
 */
const HELP = `usage: npm run create-admin -- --email you@example.com [--reset-password]
       npm run create-admin -- --if-none [--email you@example.com]`;

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    "reset-password": { type: "boolean", default: false },
    "if-none": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

let booted: Bootstrapped | null = null;
await runCli(async () => {
  if (values.help) return void console.log(HELP);
  const email = values.email ?? (values["if-none"] ? "admin@sluice.localhost" : undefined);
  if (!email) throw new CliError(`--email is required\n${HELP}`);
  booted = await bootstrapCli({ needRedis: false });
  const { z } = await import("zod");
  if (!z.email().safeParse(email).success) throw new CliError(`not an e-mail address: ${email}`);

  const users = await import("@/lib/db/queries/users");
  const admin = await import("@/lib/auth/user-admin");
  const { generatePassword, passwordSchema } = await import("@/lib/auth/password");
  const actor = { userId: null, via: "cli" as const, ip: null };

  if (values["if-none"] && (await users.countActiveAdmins()) > 0) {
    say("an admin account exists; sign in with it (add another with `npm run create-admin -- --email you@example.com`)");
    return;
  }

  const choosePassword = async (): Promise<{ password: string; generated: boolean }> => {
    const fromEnv = booted!.env.ADMIN_PASSWORD;
    if (fromEnv) return { password: fromEnv, generated: false };
    if (process.stdin.isTTY && !values["if-none"]) {
      const first = await promptSecret("new password (empty = generate one): ");
      if (first) {
        const checked = passwordSchema.safeParse(first);
        if (!checked.success) throw new CliError(`password rejected: ${checked.error.issues[0]?.message}`);
        if ((await promptSecret("again: ")) !== first) throw new CliError("the two passwords differ");
        return { password: first, generated: false };
      }
    }
    return { password: generatePassword(), generated: true };
  };
  const announce = (password: { password: string; generated: boolean }) => {
    if (password.generated) {
      say(`password (shown once, store it now): ${password.password}`);
      say("it was generated, so it must be replaced at the first sign-in (Settings → Password)");
    } else say("password set as given");
  };

  const existing = await users.findUserByEmail(email);
  if (!existing) {
    const password = await choosePassword();
    // A generated password was chosen by nobody: it is replaced at first sign-in. One the
    // operator typed (prompt, ADMIN_PASSWORD) is theirs.
    const { user } = await admin.createUserAccount(actor, {
      email,
      role: "admin",
      password: password.password,
      mustChangePassword: password.generated,
    });
    say(`created admin ${user.email}`);
    announce(password);
    return;
  }

  if (existing.role !== "admin") {
    await admin.changeRole(actor, existing.id, "admin");
    say(`${existing.email} existed as ${existing.role}; promoted to admin`);
  } else {
    say(`${existing.email} is already an admin`);
  }
  if (existing.disabled) {
    await admin.setDisabled(actor, existing.id, false);
    say("the account was disabled; enabled it");
  }
  if (values["reset-password"] || booted.env.ADMIN_PASSWORD) {
    const password = await choosePassword();
    await admin.resetPassword(actor, existing.id, password.password, { mustChangePassword: password.generated });
    say("password reset; the user's sessions were ended");
    announce(password);
  } else {
    say("password unchanged (add --reset-password to set a new one)");
  }
});
await shutdownCli(booted);
