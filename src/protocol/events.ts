// Event types of the timeline (control-plane and runtime): the reference's list, plus the life of an executor
// upgrade (beyond: the reference names no event for it). A configuration edit or rollback is no timeline
// event: the audit log and the node's revision history record it.
export const EVENT_TYPES = [
  "executor.connected",
  "executor.reconnected",
  "executor.disconnected",
  "executor.deleted",
  "executor.upgrade.requested",
  "executor.upgrade.cancelled",
  "executor.upgrade.completed",
  "executor.upgrade.expired",
  "executor.upgrade.rolled_back",
  "node.created",
  "node.deleted",
  "node.lifecycle.requested",
  "node.lifecycle.transition",
  "notification.alert.opened",
  "notification.alert.resolved",
  "runtime.event",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type EventSource = "control_plane" | "runtime";
