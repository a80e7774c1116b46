import "server-only";
import { randomBytes } from "node:crypto";
import { hash, verify, type Algorithm } from "@node-rs/argon2";
import { z } from "zod";

/**
 * Password hashing with argon2id at the OWASP baseline (19 MiB, 2 passes, 1 lane):
 * slow enough to make offline guessing expensive, fast enough (~30 ms) that
 * sign-in stays snappy and cannot be turned into a CPU exhaustion lever easily.
 */
// `Algorithm` is a const enum, which isolatedModules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
/** argon2 takes any length, but an unbounded input is a cheap way to burn our CPU. */
export const PASSWORD_MAX_LENGTH = 256;

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `use at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `use at most ${PASSWORD_MAX_LENGTH} characters`);

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password and for a malformed stored hash alike: both mean "no". */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

// A real hash of a random password, made once per process. Checking a password
// against it when the e-mail is unknown makes that failure cost the same time
// as a wrong password for a real account, so timing does not reveal who exists.
let dummyHash: Promise<string> | undefined;

export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(18).toString("base64url"));
  await verifyPassword(await dummyHash, password);
  return false;
}

/** For first-run and reset flows: 20 characters from 57 unambiguous symbols, ~116 bits. */
export function generatePassword(length = 20): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const out: string[] = [];
  // Rejection sampling keeps every symbol equally likely.
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 256 - (256 % alphabet.length) && out.length < length) out.push(alphabet[byte % alphabet.length]!);
    }
  }
  return out.join("");
}
