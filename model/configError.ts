// Config errors that point at a file, a line and a key path, so that an operator can
// fix a stack or tenant file without reading the program.
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";

export type KeyPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  file: string;
  line?: number;
  /** 1-based, where the parser can tell (YAML syntax errors). */
  column?: number;
  /** Dotted path as the operator writes it, e.g. `platform-secrets:vault.address` or `tenants[2].team`. */
  key: string;
  message: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** One problem on one line (`file:line:column: key: message`); several under a count. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((i) => `${i.file}${i.line ? `:${i.line}${i.column ? `:${i.column}` : ""}` : ""}: ${i.key}: ${i.message}`);
  if (lines.length === 1) return lines[0]!;
  return `invalid configuration (${issues.length} problems):\n${lines.map((l) => `  ${l}`).join("\n")}`;
}

export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

/** The parser's own wording without its "at line L, column C:" tail: the issue carries both. */
function parserMessage(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

type Visit = (node: Node, path: KeyPath) => void;

/** Every node of a document with its key path, parents first. */
function walk(node: unknown, path: KeyPath, fn: Visit): void {
  if (!isNode(node)) return;
  fn(node, path);
  if (isMap(node)) for (const pair of node.items) walk(pair.value, [...path, keyText(pair.key)], fn);
  else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i], fn));
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/**
 * The key path of the innermost entry that starts at or before `offset`: for a syntax error,
 * the key the operator was writing when the file went wrong.
 */
function pathAt(doc: Document, offset: number): KeyPath {
  const path: Array<string | number> = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.filter((p) => isPair(p) && isNode(p.key) && (p.key.range?.[0] ?? Infinity) <= offset).pop();
      if (!pair) return path;
      path.push(keyText(pair.key));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findLastIndex((item) => isNode(item) && (item.range?.[0] ?? Infinity) <= offset);
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else return path;
  }
}

/**
 * A YAML file kept with its parse tree so issues can be placed on a line. The one parser for
 * every YAML file the project reads (stack files, tenant catalogues, Pulumi.yaml): syntax
 * errors, duplicate keys, tab indentation, alias bombs and numbers beyond a 64-bit float all
 * come back as issues with a line, a column and the key they sit under.
 */
export class YamlSource {
  readonly file: string;
  readonly data: unknown;
  private readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly text: string;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, prettyErrors: true });
    const at = (offset: number, path: KeyPath, message: string): ConfigIssue => {
      const { line, col } = this.lines.linePos(offset);
      return { file, line, column: col, key: formatKeyPath(path) || "(yaml)", message };
    };
    const errors = this.doc.errors.map((e) => {
      const path = pathAt(this.doc, e.pos[0]);
      if (e.code === "DUPLICATE_KEY") return at(e.pos[0], path, `"${String(path[path.length - 1])}" is given twice in the same mapping; keep one`);
      return at(e.pos[0], path, parserMessage(e.message));
    });
    if (errors.length > 0) throw new ConfigError(errors);
    const overflows: ConfigIssue[] = [];
    walk(this.doc.contents, [], (node, path) => {
      // `1e400` reads as Infinity, which JSON (and so Pulumi's config) turns into null.
      if (isScalar(node) && typeof node.value === "number" && !Number.isFinite(node.value) && node.range) {
        overflows.push(at(node.range[0], path, `${this.text.slice(node.range[0], node.range[1])} is not a finite number (beyond a 64-bit float); write a number in range, or quote it if it is text`));
      }
    });
    if (overflows.length > 0) throw new ConfigError(overflows);
    try {
      this.data = this.doc.toJS() ?? {};
    } catch (err) {
      // The parser accepts what toJS refuses: an alias expanded too often (a "billion laughs").
      let first: ConfigIssue | undefined;
      visit(this.doc, {
        Alias: (_key, node) => {
          first ??= node.range ? at(node.range[0], [], "") : undefined;
        },
      });
      throw new ConfigError([{ ...(first ?? { file, line: 1 }), key: "(yaml)", message: `${parserMessage((err as Error).message)} (aliases expand to too many nodes)` }]);
    }
  }

  /** A scalar's text as written (`010`, where YAML reads the number 10). */
  sourceOf(path: KeyPath): string | undefined {
    const node = this.doc.getIn(path, true);
    return isScalar(node) && node.range ? this.text.slice(node.range[0], node.range[1]) : undefined;
  }

  /** Line of the deepest node on `path` that exists in the file (1-based); the document's first line if none does. */
  lineOf(path: KeyPath): number {
    for (let depth = path.length; depth > 0; depth--) {
      const prefix = path.slice(0, depth);
      // A key's own line reads best (`adminGroups:`), then the value's (list items have no key).
      const line = this.keyLine(prefix) ?? this.valueLine(prefix);
      if (line !== undefined) return line;
    }
    // An empty file, or a key missing at the top: the operator still gets a line to go to.
    const contents = this.doc.contents;
    return contents?.range ? this.lines.linePos(contents.range[0]).line : 1;
  }

  private valueLine(path: KeyPath): number | undefined {
    const node = this.doc.getIn(path, true);
    return isNode(node) && node.range ? this.lines.linePos(node.range[0]).line : undefined;
  }

  private keyLine(path: KeyPath): number | undefined {
    const parent = path.length > 1 ? this.doc.getIn(path.slice(0, -1), true) : this.doc.contents;
    if (!parent || typeof parent !== "object" || !("items" in parent)) return undefined;
    const items = (parent as { items: Array<{ key?: unknown }> }).items;
    const last = path[path.length - 1];
    for (const item of items) {
      const key = item.key;
      if (isNode(key) && key.range && String((key as { value?: unknown }).value) === String(last)) {
        return this.lines.linePos(key.range[0]).line;
      }
    }
    return undefined;
  }
}
