export * from "@/db/schema/app-schema";
export * from "@/db/schema/users";
export * from "@/db/schema/saved-queries";
export * from "@/db/schema/audit-events";
