// sameJson: the heartbeat path's in-place comparison of an executor's capabilities with the stored ones.
import { describe, expect, test } from "bun:test";
import { sameJson } from "../../src/modes/control-plane/executors/heartbeats.ts";

describe("sameJson", () => {
  test("equal documents compare equal whatever their key order", () => {
    expect(sameJson({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 })).toBe(true);
    expect(sameJson({ a: undefined, b: null }, { b: null })).toBe(true);
    expect(sameJson([], [])).toBe(true);
  });

  test("any difference in a value, a key, a length or a type is seen", () => {
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 0 })).toBe(false);
    expect(sameJson({ a: 1, b: 0 }, { a: 1 })).toBe(false);
    expect(sameJson([1, 2], [1])).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
    expect(sameJson({ a: null }, { a: {} })).toBe(false);
    expect(sameJson("1", 1)).toBe(false);
    expect(sameJson({ a: { b: [1, 2, 3] } }, { a: { b: [1, 2, 4] } })).toBe(false);
  });
});
