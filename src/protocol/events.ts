// Event types of the timeline (control-plane and runtime), named exactly as the reference names them.
export const EVENT_TYPES = [
  "executor.connected",
  "executor.reconnected",
  "executor.disconnected",
  "executor.deleted",
  "node.created",
  "node.updated",
  "node.deleted",
  "node.lifecycle.requested",
  "node.lifecycle.transition",
  "notification.alert.opened",
  "notification.alert.resolved",
  "runtime.event",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type EventSource = "control_plane" | "runtime";
