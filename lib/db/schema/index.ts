export * from "@/lib/db/schema/app-schema";
export * from "@/lib/db/schema/users";
export * from "@/lib/db/schema/saved-queries";
export * from "@/lib/db/schema/audit-events";
