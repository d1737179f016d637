// In-process signals of what executors just told the control plane: a node observation, an executor going
// offline or coming back. Features that react to them (alert rules, metric history, live subscriptions)
// subscribe here instead of each editing the hot ingestion path. Listeners run synchronously after the
// observation is accepted, so they must be cheap and must not throw: one that throws is logged and the
// others still run.
import type { Logger } from "../../../lib/log.ts";
import type { ObservedNodeState } from "../../../protocol/index.ts";

/** The node an observation belongs to, as the ingestion path already knows it (no extra read). */
export interface ObservedNodeRef {
  id: string;
  organizationId: string;
  name: string;
  executorId: string;
  executorName: string;
}

export interface NodeObservedSignal {
  node: ObservedNodeRef;
  observation: ObservedNodeState;
  /** When the control plane received it (ms since epoch). */
  at: number;
}

export interface ExecutorStatusSignal {
  executor: { id: string; organizationId: string; name: string };
  status: "online" | "offline";
  at: number;
}

type Listener<T> = (signal: T) => void;

export class SignalHub {
  private observed: Listener<NodeObservedSignal>[] = [];
  private executorStatus: Listener<ExecutorStatusSignal>[] = [];

  constructor(private readonly log?: Logger) {}

  onNodeObserved(listener: Listener<NodeObservedSignal>): () => void {
    return subscribe(this.observed, listener);
  }

  onExecutorStatus(listener: Listener<ExecutorStatusSignal>): () => void {
    return subscribe(this.executorStatus, listener);
  }

  nodeObserved(signal: NodeObservedSignal): void {
    this.emit(this.observed, signal, "node observed");
  }

  executorStatusChanged(signal: ExecutorStatusSignal): void {
    this.emit(this.executorStatus, signal, "executor status");
  }

  private emit<T>(listeners: Listener<T>[], signal: T, what: string): void {
    for (const listener of listeners) {
      try {
        listener(signal);
      } catch (error) {
        this.log?.error(`a ${what} listener failed`, { error: String(error) });
      }
    }
  }
}

function subscribe<T>(listeners: Listener<T>[], listener: Listener<T>): () => void {
  listeners.push(listener);
  return () => {
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  };
}
