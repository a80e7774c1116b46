import postgres from "postgres";

/** One owner-connection query, so `npm run dev` can check cheaply without the app's server-only modules. */
export async function hasEnabledAdmin(ownerUrl: string): Promise<boolean> {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ found: boolean }[]>`select exists(select 1 from app.users where role = 'admin' and not disabled) as found`;
    return Boolean(row?.found);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
