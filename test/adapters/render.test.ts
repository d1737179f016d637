// Config rendering is deterministic: the same object renders to the same bytes whatever its key order.
import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { canonicalJson, renderConfigFile, renderIni, renderToml } from "../../src/adapters/shared/render.ts";

const a = { zeta: 1, alpha: { y: true, b: "x" }, list: [3, 1, 2] };
const b = { list: [3, 1, 2], alpha: { b: "x", y: true }, zeta: 1 };

describe("deterministic config rendering", () => {
  test("TOML has sorted keys, keeps array order and parses back to the same object", () => {
    expect(renderToml(a)).toBe(renderToml(b));
    expect(renderToml(a)).toBe('list = [ 3, 1, 2 ]\nzeta = 1\n\n[alpha]\nb = "x"\ny = true\n');
    expect(parse(renderToml(a))).toEqual(a);
  });

  test("JSON (and YAML/HOCON, rendered as JSON) has sorted keys and a trailing newline", () => {
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe(
      `${JSON.stringify({ alpha: { b: "x", y: true }, list: [3, 1, 2], zeta: 1 }, null, 2)}\n`,
    );
    expect(renderConfigFile({ path: "c.yaml", format: "yaml", content: a })).toBe(canonicalJson(a));
  });

  test("INI puts scalars first, then sorted sections, and repeats keys for arrays", () => {
    const text = renderIni({ test: { rpcport: 18332 }, server: 1, addnode: ["b", "a"] });
    expect(text).toBe("addnode=b\naddnode=a\nserver=1\n\n[test]\nrpcport=18332\n");
    expect(() => renderIni({ x: "a\nb" })).toThrow("newline");
  });

  test("text content is written verbatim and an object is refused for it", () => {
    expect(renderConfigFile({ path: "x", format: "text", content: "as is" })).toBe("as is");
    expect(() => renderConfigFile({ path: "x", format: "text", content: {} })).toThrow();
  });
});
