export * from "./app-schema";
export * from "./users";
export * from "./saved-queries";
export * from "./audit-events";
