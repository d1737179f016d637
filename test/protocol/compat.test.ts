// compatWindowStatus: the exhaustive table of version pairs and their window.
import { describe, expect, test } from "bun:test";
import { compatWindowStatus } from "../../src/protocol/index.ts";

describe("compatWindowStatus", () => {
  const table: [string, string, string][] = [
    ["3.4.0", "3.0.0", "in-window"],
    ["3.4.0", "3.9.9", "in-window"],
    ["3.4.0", "4.0.0", "in-window"],
    ["3.4.0", "2.9.0", "deprecated"],
    ["3.4.0", "2.0.0-rc.1", "deprecated"],
    ["3.4.0", "1.0.0", "out-of-support"],
    ["3.4.0", "0.1.0", "out-of-support"],
    ["1.0.0", "0.9.0", "deprecated"],
    ["0.1.0", "0.1.0", "in-window"],
  ];
  for (const [cp, executor, expected] of table) {
    test(`control plane ${cp} with executor ${executor} is ${expected}`, () => {
      expect(compatWindowStatus(cp, executor)).toBe(expected as never);
    });
  }
  test("a version that is not semver is refused, not guessed", () => {
    expect(() => compatWindowStatus("1.0.0", "latest")).toThrow(/not a semver/);
  });
});
