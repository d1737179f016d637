// The wire contract shared by the control plane, the agent and the operator. No I/O lives here.
export * from "./artifact-delivery.ts";
export * from "./artifacts.ts";
export * from "./capabilities.ts";
export * from "./compat.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./executor-api.ts";
export * from "./node-spec.ts";
export * from "./observed.ts";
export * from "./phase.ts";
export * from "./upgrade.ts";
export * from "./validate.ts";
export * from "./version.ts";
