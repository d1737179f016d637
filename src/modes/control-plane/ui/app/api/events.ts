// GraphQL documents of the events timeline: one page of events on either side of a cursor, with the
// filters of reference §13 (executor name, node name, level, type).
import { graphql } from "./graphql.ts";

export interface TimelineEvent {
  id: string;
  type: string;
  level: "info" | "warn" | "error";
  message: string;
  createdAt: string;
  executorName: string | null;
  nodeId: string | null;
  nodeName: string | null;
}

export interface EventsVariables {
  filter: {
    executorName?: string;
    nodeName?: string;
    level?: string;
    type?: string;
    cursor?: string;
    direction?: "older" | "newer";
    take: number;
  };
}

export const EVENTS = graphql<{ events: TimelineEvent[] }, EventsVariables>(
  `query Events($filter: EventFilterInput) {
    events(filter: $filter) { id type level message createdAt executorName nodeId nodeName }
  }`,
);
