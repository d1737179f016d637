// The suite-wide leak check must be able to fail: a key shown twice, a password in a response or a log
// line, a session token in the log.
import { describe, expect, test } from "bun:test";
import { LeakWatch } from "./leak-watch.ts";

const KEY = `exc_${"A".repeat(43)}`;

describe("LeakWatch", () => {
  test("a key's first appearance is its reveal; a second appearance is a leak", () => {
    const watch = new LeakWatch();
    watch.response(JSON.stringify({ data: { createApiKey: { key: KEY } } }));
    expect(() => watch.assertClean([])).not.toThrow();
    watch.response(JSON.stringify({ data: { apiKeys: [{ key: KEY }] } }));
    expect(() => watch.assertClean([])).toThrow(/shown again/);
  });

  test("a password in a response or a key in the log is a leak", () => {
    const watch = new LeakWatch();
    watch.secret("correct-horse-battery");
    watch.response('{"data":{"me":{"note":"correct-horse-battery"}}}');
    expect(() => watch.assertClean([])).toThrow(/in a response/);
    const logs = new LeakWatch();
    logs.response(JSON.stringify({ data: { createApiKey: { key: KEY } } }));
    expect(() => logs.assertClean([`{"msg":"sync","authorization":"Bearer ${KEY}"}`])).toThrow(/in the log/);
  });
});
