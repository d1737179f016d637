// The HOCON writer: deterministic bytes, and a tree that Typesafe Config (java-tron's own parser, at the
// version java-tron pins) reads back exactly as the model was built, strings needing escapes included.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderHocon } from "../../src/adapters/shared/hocon.ts";
import { renderConfigFile } from "../../src/adapters/shared/render.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { parseHoconFile, typesafeConfigJar } from "../harness/hocon/typesafe-config.ts";

const model = {
  node: {
    listen: { port: 18888 },
    p2p: { version: 11111 },
    fastForward: ["100.26.245.209:18888"],
    active: [],
    http: { fullNodeEnable: true, PBFTEnable: false },
  },
  storage: { merkleRoot: { "reward-vi": "b474" }, "dotted.key": "kept whole" },
  genesis: { block: { witnesses: [{ address: "THKJ", url: "http://GR1.com", voteCount: 100000026 }] } },
  vm: { minTimeRatio: 0.5, maxTimeRatio: 5 },
  // A "${...}" in a quoted string is text to HOCON, not a substitution; so are // and #.
  awkward: { text: `a "quoted" back\\slash\nnew line $\{not.a.substitution} // not a comment # nor this` },
  empty: {},
  nothing: null,
};

describe("HOCON rendering", () => {
  test("keys are sorted at every level, whatever the input order, and the file ends with a newline", () => {
    const reversed = JSON.parse(JSON.stringify(model, Object.keys(model).reverse()));
    const text = renderHocon(model);
    expect(renderHocon({ ...reversed, ...model })).toBe(text);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[0]).toBe("awkward = {");
    expect(renderConfigFile({ path: "config.conf", format: "hocon", content: model })).toBe(text);
  });

  test("nested objects are blocks, arrays one item a line, strings quoted, dotted keys quoted", () => {
    const text = renderHocon({ b: { list: ["x", 2], "a.b": true }, a: [] });
    expect(text).toBe('a = []\nb = {\n  "a.b" = true\n  list = [\n    "x",\n    2\n  ]\n}\n');
  });

  test("values HOCON cannot hold are refused with their path", () => {
    expect(() => renderHocon({ a: { b: Number.NaN } })).toThrow("/a/b");
    expect(() => renderHocon({ a: [() => 1] })).toThrow("/a/0");
  });
});

describe("Typesafe Config reads the rendered file back as the same tree", () => {
  const found = typesafeConfigJar();
  const work = makeTestDir("hocon");
  afterAll(() => work.cleanup());

  test.skipIf("missing" in found)(
    `com.typesafe:config parses renderHocon's output to the model (skipped only without java and mvn)`,
    () => {
      if (!("jar" in found)) return;
      const file = join(work.dir, "config.conf");
      writeFileSync(file, renderHocon(model));
      expect(parseHoconFile(found.jar, file)).toEqual(JSON.parse(JSON.stringify(model)));
    },
    120_000,
  );
});
