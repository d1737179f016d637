// Dropping named tables from a TOML file by editing its lines, for copy-artifact's dropTomlTables (a release
// config whose [Node.LogConfig] would send BSC geth's log to a file instead of the journal). The file is not
// parsed into values and written back: that would reformat numbers, strings and comments the client reads
// as it ships them. Only the dropped lines go; every other byte, line ending and comment stays.
//
// What goes, for a dropped name N (a dotted key such as `Node.LogConfig`):
// - the table [N] and its sub-tables [N.x] (and arrays of tables [[N…]]): each from its header line up to
//   the next header line, comments and blank lines before that header included;
// - a key/value entry that lands inside N from another table (`LogConfig.Level = "info"` under [Node], or
//   `LogConfig = { … }`), all its lines.
// A header is only a header outside strings and multi-line values, so `[1]` inside an array spanning lines
// or a `[x]` line inside a """ string is never mistaken for one. N inside an inline table of an ancestor
// (`Node = { LogConfig = … }`) cannot be removed line by line: that is refused rather than left in.

/** One physical line with its ending, and what it is at the top level of the document. */
interface Line {
  text: string;
  /** The header's key path ([a.b] or [[a.b]]) when the line is a table header. */
  header?: string[];
  /** The key path (within the current table) when the line starts a key/value entry. */
  key?: string[];
  /** True when the entry's value starts with an inline table `{`. */
  inlineTable?: boolean;
  /** True when the line ends inside a multi-line value (an open array, inline table or string). */
  continues: boolean;
}

const BARE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * `text` without the tables (and their sub-tables) named in `names`, each a dotted key of bare names.
 * Applying it again changes nothing. Throws when a name is not a dotted key, or the document defines a named
 * table inside an inline table of its parent (which no line-based edit can take out).
 */
export function dropTomlTables(text: string, names: readonly string[]): string {
  const targets = names.map((name) => {
    if (!BARE_NAME.test(name)) {
      throw new Error(
        `dropTomlTables: "${name}" is not a dotted TOML key of bare names (e.g. Node.LogConfig)`,
      );
    }
    return name.split(".");
  });
  const within = (path: string[]) => targets.some((t) => startsWith(path, t));
  const encloses = (path: string[]) => targets.some((t) => path.length < t.length && startsWith(t, path));
  let table: string[] = [];
  let dropping = false;
  let dropEntry = false;
  let out = "";
  for (const [index, line] of scanLines(text).entries()) {
    if (line.header) {
      table = line.header;
      dropping = within(table);
      dropEntry = false;
    } else if (line.key) {
      const path = [...table, ...line.key];
      if (line.inlineTable && encloses(path)) {
        throw new Error(
          `dropTomlTables: line ${index + 1} defines ${path.join(".")} as an inline table, which may hold ${names.join(", ")}: an inline table cannot be edited line by line`,
        );
      }
      dropEntry = within(path);
    }
    if (!dropping && !dropEntry) out += line.text;
    // A dropped entry ends with the line that closes its value.
    if (dropEntry && !line.continues) dropEntry = false;
  }
  return out;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

type StringState = null | '"' | "'" | '"""' | "'''";

/** Splits `text` into lines (endings kept) and classifies each, tracking strings and brackets across lines. */
function scanLines(text: string): Line[] {
  const lines: Line[] = [];
  let depth = 0;
  let open: StringState = null;
  for (const raw of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    const line: Line = { text: raw, continues: false };
    let from = 0;
    if (depth === 0 && open === null) {
      const start = raw.search(/\S/);
      if (start >= 0 && raw[start] === "[") {
        const header = parseHeader(raw, start);
        if (header) {
          line.header = header.path;
          from = header.end;
        }
      } else if (start >= 0 && raw[start] !== "#") {
        const key = parseKey(raw, start);
        if (key && raw[key.end] === "=") {
          line.key = key.path;
          from = key.end + 1;
          line.inlineTable = raw.slice(from).trimStart().startsWith("{");
        }
      }
    }
    ({ depth, open } = scanValue(raw, from, depth, open));
    line.continues = depth > 0 || open !== null;
    lines.push(line);
  }
  return lines;
}

/** `[a.b]` or `[[a.b]]` at `start` (a comment may follow); null when the line is not a header. */
function parseHeader(raw: string, start: number): { path: string[]; end: number } | null {
  const array = raw.startsWith("[[", start);
  const key = parseKey(raw, start + (array ? 2 : 1));
  const close = array ? "]]" : "]";
  return key && raw.startsWith(close, key.end) ? { path: key.path, end: key.end + close.length } : null;
}

/** A dotted key (bare, "basic" or 'literal' segments) at `at`; `end` is past the blanks after it. */
function parseKey(raw: string, at: number): { path: string[]; end: number } | null {
  const path: string[] = [];
  let i = at;
  for (;;) {
    while (raw[i] === " " || raw[i] === "\t") i++;
    const segment = parseKeySegment(raw, i);
    if (!segment) return null;
    path.push(segment.value);
    i = segment.end;
    while (raw[i] === " " || raw[i] === "\t") i++;
    if (raw[i] !== ".") return { path, end: i };
    i++;
  }
}

function parseKeySegment(raw: string, at: number): { value: string; end: number } | null {
  const quote = raw[at];
  if (quote === '"' || quote === "'") {
    let value = "";
    for (let i = at + 1; i < raw.length && raw[i] !== "\n"; i++) {
      if (raw[i] === quote) return { value, end: i + 1 };
      if (quote === '"' && raw[i] === "\\") {
        const escaped = parseEscape(raw, i);
        if (!escaped) return null;
        value += escaped.value;
        i = escaped.end - 1;
      } else value += raw[i];
    }
    return null;
  }
  const bare = /^[A-Za-z0-9_-]+/.exec(raw.slice(at));
  return bare ? { value: bare[0], end: at + bare[0].length } : null;
}

const ESCAPES: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };

function parseEscape(raw: string, at: number): { value: string; end: number } | null {
  const c = raw[at + 1] ?? "";
  if (c in ESCAPES) return { value: ESCAPES[c]!, end: at + 2 };
  const width = c === "u" ? 4 : c === "U" ? 8 : 0;
  const hex = raw.slice(at + 2, at + 2 + width);
  if (width === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== width) return null;
  return { value: String.fromCodePoint(Number.parseInt(hex, 16)), end: at + 2 + width };
}

/**
 * Walks a line from `from` through a value: strings (single- and multi-line), comments, and the brackets of
 * arrays and inline tables, so the caller knows whether the next line is still inside this value.
 */
function scanValue(
  raw: string,
  from: number,
  depth: number,
  open: StringState,
): { depth: number; open: StringState } {
  let i = from;
  while (i < raw.length) {
    if (open !== null) {
      const quote = open[0]!;
      if (open === '"' || open === '"""') {
        if (raw[i] === "\\") {
          i += 2;
          continue;
        }
      }
      if (raw.startsWith(open, i)) {
        i += open.length;
        // A multi-line string may end with up to two more quotes that belong to its content.
        if (open.length === 3) for (let extra = 0; extra < 2 && raw[i] === quote; extra++) i++;
        open = null;
        continue;
      }
      i++;
      continue;
    }
    const c = raw[i];
    if (c === "#") break;
    if (c === '"' || c === "'") {
      open = raw.startsWith(c.repeat(3), i) ? (c.repeat(3) as StringState) : (c as StringState);
      i += open!.length;
      continue;
    }
    if (c === "[" || c === "{") depth++;
    else if ((c === "]" || c === "}") && depth > 0) depth--;
    i++;
  }
  // Only multi-line strings span lines: a one-line string left open is malformed and ends with its line.
  return { depth, open: open === '"' || open === "'" ? null : open };
}
