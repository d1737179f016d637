// Every table of the control plane's database, for drizzle and drizzle-kit.
export * from "./api-keys.ts";
export * from "./auth.ts";
export * from "./catalog.ts";
export * from "./events.ts";
export * from "./executors.ts";
export * from "./history.ts";
export * from "./nodes.ts";
export * from "./notifications.ts";
export * from "./organizations.ts";
export * from "./releases.ts";
