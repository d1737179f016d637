// The GraphQL request budget's clock counts the time an execution spends working, not the time the host made
// it wait: a legitimate query on a busy machine (the scheduler pausing the process mid-stretch) is answered,
// while an execution that keeps the CPU busy past the budget is still cut off.
import { expect, test } from "bun:test";
import { REQUEST_BUDGET, RequestBudget } from "../../src/modes/control-plane/graphql/budget.ts";

/** Blocks this thread without using the CPU, as a descheduled process would be. */
function pausedFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Computes until this thread has used `ms` of CPU (however long a busy host takes to give it that). */
function busyFor(ms: number): void {
  const cpu = () => {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  };
  const until = cpu() + ms;
  while (cpu() < until) {
    // Spinning: this is CPU time the execution uses.
  }
}

test("a synchronous stretch paused by the host longer than the budget is not charged", () => {
  const budget = new RequestBudget();
  budget.charge(5);
  pausedFor(REQUEST_BUDGET.ms * 3);
  expect(() => budget.charge(5)).not.toThrow();
  expect(budget.exhausted).toBe(false);
});

test("a synchronous stretch that computes past the budget is cut off with query_too_complex", () => {
  const budget = new RequestBudget();
  budget.charge(5);
  busyFor(REQUEST_BUDGET.ms * 2);
  expect(() => budget.charge(5)).toThrow(/exceeded its time budget/);
  expect(budget.exhausted).toBe(true);
});
