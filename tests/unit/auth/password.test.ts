import { describe, expect, it } from "vitest";
import { generatePassword, hashPassword, passwordSchema, PASSWORD_MAX_LENGTH, verifyAgainstDummy, verifyPassword } from "@/lib/auth/password";

describe("password hashing", () => {
  it("uses argon2id with the OWASP baseline parameters and a fresh salt", async () => {
    const a = await hashPassword("correct horse battery staple");
    const b = await hashPassword("correct horse battery staple");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "correct horse battery stapler")).toBe(false);
  });

  it("treats a malformed stored hash and an oversized password as a plain no", async () => {
    expect(await verifyPassword("not-a-hash", "whatever")).toBe(false);
    const hash = await hashPassword("x".repeat(PASSWORD_MAX_LENGTH));
    expect(await verifyPassword(hash, "x".repeat(PASSWORD_MAX_LENGTH + 1))).toBe(false);
  });

  it("the dummy check always fails and costs about as much as a real one", async () => {
    const hash = await hashPassword("a real password!");
    await verifyAgainstDummy("warm-up");
    const time = async (fn: () => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < 5; i += 1) await fn();
      return performance.now() - started;
    };
    const real = await time(() => verifyPassword(hash, "wrong password"));
    const dummy = await time(() => verifyAgainstDummy("wrong password"));
    expect(await verifyAgainstDummy("a real password!")).toBe(false);
    // Generous bounds: CI machines are noisy; the point is "same order", not "equal".
    expect(dummy).toBeGreaterThan(real / 3);
    expect(dummy).toBeLessThan(real * 3);
  });
});

describe("generated passwords", () => {
  it("are long, unambiguous and pass the password rules", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i += 1) {
      const password = generatePassword();
      expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
      expect(passwordSchema.safeParse(password).success).toBe(true);
      seen.add(password);
    }
    expect(seen.size).toBe(100);
  });
});

describe("password rules", () => {
  it("need 12 to 256 characters", () => {
    expect(passwordSchema.safeParse("short").success).toBe(false);
    expect(passwordSchema.safeParse("twelve chars").success).toBe(true);
    expect(passwordSchema.safeParse("x".repeat(257)).success).toBe(false);
  });
});
