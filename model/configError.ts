// Config errors that point at a file, a line and a key path, so that an operator can
// fix a stack or tenant file without reading the program.
import { LineCounter, parseDocument, isNode, isScalar, type Document } from "yaml";

export type KeyPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  file: string;
  line?: number;
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

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((i) => `  ${i.file}${i.line ? `:${i.line}` : ""}: ${i.key}: ${i.message}`);
  return `invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

/** A YAML file kept with its parse tree so issues can be placed on a line. */
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
    const errors = this.doc.errors.map((e) => ({ file, line: e.linePos?.[0].line ?? 1, key: "(yaml)", message: e.message.split("\n")[0] ?? e.message }));
    if (errors.length > 0) throw new ConfigError(errors);
    try {
      this.data = this.doc.toJS() ?? {};
    } catch (err) {
      // The parser accepts what toJS refuses, e.g. an alias expanded too often (a "billion laughs").
      throw new ConfigError([{ file, line: 1, key: "(yaml)", message: (err as Error).message }]);
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
