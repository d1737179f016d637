// The long-poll change feed on its own: a notify wakes every poll the executor holds (one, or two at once
// when an agent restarted while its old poll is still held) and no other executor's; a poll nobody notifies
// answers false at its deadline; nothing stays registered once polls are answered.
import { afterEach, describe, expect, test } from "bun:test";
import { ChangeFeed } from "../../src/modes/control-plane/nodes/change-feed.ts";

describe("ChangeFeed", () => {
  let feed: ChangeFeed;
  afterEach(() => {
    feed.notifyAll();
    feed.close();
  });

  test("notify wakes the executor's one poll and leaves other executors waiting", async () => {
    feed = new ChangeFeed();
    const mine = feed.wait("exec-a", 30_000);
    const other = feed.wait("exec-b", 30_000);
    expect(feed.waiting).toBe(2);
    feed.notify("exec-a");
    expect(await mine).toBe(true);
    expect(feed.waiting).toBe(1);
    feed.notify("exec-b");
    expect(await other).toBe(true);
    expect(feed.waiting).toBe(0);
  });

  test("two polls of the same executor are both woken, and a later poll registers afresh", async () => {
    feed = new ChangeFeed();
    const old = feed.wait("exec-a", 30_000);
    const fresh = feed.wait("exec-a", 30_000);
    expect(feed.waiting).toBe(2);
    feed.notify("exec-a");
    expect(await Promise.all([old, fresh])).toEqual([true, true]);
    expect(feed.waiting).toBe(0);
    const next = feed.wait("exec-a", 30_000);
    expect(feed.waiting).toBe(1);
    feed.notify("exec-a");
    expect(await next).toBe(true);
  });

  test("a poll nobody notifies answers false at its deadline; a second one of the same executor stays", async () => {
    feed = new ChangeFeed();
    const short = feed.wait("exec-a", 50);
    const long = feed.wait("exec-a", 30_000);
    expect(await short).toBe(false);
    expect(feed.waiting).toBe(1);
    feed.notify("exec-a");
    expect(await long).toBe(true);
    expect(feed.waiting).toBe(0);
  });
});
