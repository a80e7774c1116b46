import Link from "next/link";

/** What a guarded page shows instead of itself: not allowed, or cannot check right now. */
export function AccessPanel({ kind, role }: { kind: "forbidden" | "unavailable"; role?: string }) {
  const forbidden = kind === "forbidden";
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm" role="alert">
      <p className={`text-sm font-semibold ${forbidden ? "text-rose-600" : "text-amber-600"}`}>
        {forbidden ? "403 · Not allowed" : "503 · Unavailable"}
      </p>
      <h1 className="mt-2 text-xl font-semibold tracking-tight">
        {forbidden
          ? role
            ? `This area needs the ${role} role`
            : "This area needs a role your account does not have"
          : "Cannot check your session right now"}
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        {forbidden
          ? "Your account does not have access here. Ask an administrator if you need it."
          : "The session store is unreachable. Nothing is wrong with your account; try again in a moment."}
      </p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:text-brand-700">
        Back to the overview
      </Link>
    </div>
  );
}
