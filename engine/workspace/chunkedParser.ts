/**
 * Parses the workspace file in chunks and reuses the chunks that did not change since the
 * last parse. Typing changes one line of a file that may have thousands, and parsing is most
 * of the analysis time, so this keeps analysis fast on large files.
 *
 * A chunk is a top-level block (`version: 1`, `monitor: …`), or one item of a top-level
 * list (`components:`, `tuning.studies` is nested and stays in its block). The chunks are
 * parsed as standalone YAML documents, their ranges shifted to where they stand now, and
 * put together into one document. Whenever that could differ from parsing the whole text
 * (anchors and aliases, directives, several documents, any syntax error), the whole text is
 * parsed instead, so the result is always the same as `parseWorkspaceYaml(text)`.
 */
import { Document, isCollection, isMap, isPair, isSeq, Pair, parseDocument, YAMLMap, YAMLSeq, type Node, type ParsedNode } from 'yaml';

const OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: true, keepSourceTokens: false } as const;

/** Parses a workspace file in one go (no reuse): the `yaml` Document with its source ranges and errors. */
export function parseWorkspaceYaml(text: string): Document.Parsed {
  return parseDocument(text, OPTIONS);
}

interface ParsedChunk {
  text: string;
  /** Offset in the text the chunk's ranges are currently relative to. */
  offset: number;
  contents: ParsedNode | null;
}

interface Chunk {
  start: number;
  end: number;
}

interface Block {
  key: string;
  header: Chunk;
  /** The list items of a block written as `key:` followed by a block list; else empty. */
  items: Chunk[];
}

/** Text features whose meaning crosses chunk borders: parse those files whole. */
const NEEDS_WHOLE_PARSE = /(^|[\s[{,])[&*][^\s]|^%|^---|^\.\.\.|<<\s*:|\t/m;

/**
 * Parses successive versions of alluse-perf.yaml, reusing the parsed top-level entries whose
 * text did not change (`lastStats` says how many); one parser per open document.
 */
export class ChunkedYamlParser {
  private cache = new Map<string, ParsedChunk[]>();

  /** How many chunks the last parse took from the cache and how many it parsed (for tests). */
  lastStats = { reused: 0, parsed: 0, whole: false };

  /** Parses `text` (a new version of the document), reusing unchanged chunks of the last version. */
  parse(text: string): Document.Parsed {
    const blocks = NEEDS_WHOLE_PARSE.test(text) ? undefined : splitBlocks(text);
    if (!blocks) return this.whole(text);
    const next = new Map<string, ParsedChunk[]>();
    const stats = { reused: 0, parsed: 0, whole: false };
    const take = (c: Chunk): ParsedChunk | undefined => {
      const chunkText = text.slice(c.start, c.end);
      const pool = this.cache.get(chunkText);
      let pc = pool?.pop();
      if (pc) {
        stats.reused++;
        if (pc.offset !== c.start) shift(pc.contents, c.start - pc.offset);
        pc.offset = c.start;
      } else {
        stats.parsed++;
        const d = parseDocument(chunkText, OPTIONS);
        if (d.errors.length || d.warnings.length) return undefined;
        pc = { text: chunkText, offset: 0, contents: d.contents as ParsedNode | null };
        if (c.start) shift(pc.contents, c.start);
        pc.offset = c.start;
      }
      const list = next.get(chunkText) ?? [];
      list.push(pc);
      next.set(chunkText, list);
      return pc;
    };

    const root = new YAMLMap<ParsedNode, ParsedNode | null>();
    const keys = new Set<string>();
    for (const b of blocks) {
      const head = take(b.header);
      if (!head) return this.whole(text);
      if (b.key === '') {
        if (head.contents !== null) return this.whole(text); // indented content before the first key
        continue; // comments only
      }
      if (!isMap(head.contents) || head.contents.items.length !== 1 || keys.has(b.key)) return this.whole(text);
      keys.add(b.key);
      const pair = head.contents.items[0] as Pair<ParsedNode, ParsedNode | null>;
      if (b.items.length) {
        const seq = new YAMLSeq<ParsedNode>();
        for (const it of b.items) {
          const pc = take(it);
          if (!pc) return this.whole(text);
          if (pc.contents === null) continue;
          if (!isSeq(pc.contents) || pc.contents.items.length !== 1) return this.whole(text);
          seq.items.push(pc.contents.items[0] as ParsedNode);
        }
        const first = b.items[0].start;
        const last = b.items[b.items.length - 1].end;
        const firstItem = seq.items[0] as ParsedNode | undefined;
        seq.range = [firstItem?.range[0] ?? first, last, last];
        root.items.push(new Pair(pair.key, seq as unknown as ParsedNode));
      } else {
        root.items.push(pair);
      }
    }
    // As the parser does: the root mapping spans from its first key to the end of its last value.
    const firstPair = root.items[0];
    const lastPair = root.items[root.items.length - 1];
    const end = (lastPair?.value as ParsedNode | null)?.range?.[2] ?? (lastPair?.key as ParsedNode | undefined)?.range[2] ?? text.length;
    root.range = [(firstPair?.key as ParsedNode | undefined)?.range[0] ?? 0, end, end];
    const doc = new Document() as unknown as Document.Parsed;
    doc.contents = root as unknown as ParsedNode;
    (doc as { range: [number, number, number] }).range = [0, text.length, text.length];
    this.cache = next;
    this.lastStats = stats;
    return doc;
  }

  private whole(text: string): Document.Parsed {
    this.cache.clear();
    this.lastStats = { reused: 0, parsed: 0, whole: true };
    return parseWorkspaceYaml(text);
  }
}

/** Adds `delta` to every range in a node tree. */
function shift(node: unknown, delta: number): void {
  if (!node || delta === 0) return;
  if (isPair(node)) {
    shift(node.key, delta);
    shift(node.value, delta);
    return;
  }
  const n = node as Node;
  if (n.range) n.range = [n.range[0] + delta, n.range[1] + delta, n.range[2] + delta];
  if (isCollection(n)) for (const it of n.items as unknown[]) shift(it, delta);
}

const TOP_KEY = /^([A-Za-z_][\w-]*)\s*:(.*)$/;

/**
 * Splits the text at top-level keys, and a `key:` block whose body is a list at its item
 * lines. Returns undefined when the layout is not plain enough to split safely.
 */
function splitBlocks(text: string): Block[] | undefined {
  const lineStarts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  if (lineStarts[lineStarts.length - 1] === text.length) lineStarts.pop();
  const lineAt = (i: number) => text.slice(lineStarts[i], i + 1 < lineStarts.length ? lineStarts[i + 1] : text.length);

  // Where each top-level block starts: a line that begins with a key at column 0.
  const blockLines: number[] = [];
  for (let i = 0; i < lineStarts.length; i++) {
    const c = text.charCodeAt(lineStarts[i]);
    if (c === 32 || c === 10 || c === 13 || c === 35 /* # */) continue;
    if (!TOP_KEY.test(lineAt(i).replace(/\r?\n$/, ''))) return undefined; // `- x` at the top, flow at column 0, …
    blockLines.push(i);
  }
  if (blockLines.length === 0) return undefined;

  const blocks: Block[] = [];
  // Leading comments and blank lines belong to a comment-only chunk.
  if (blockLines[0] > 0) blocks.push({ key: '', header: { start: 0, end: lineStarts[blockLines[0]] }, items: [] });
  for (let b = 0; b < blockLines.length; b++) {
    const first = blockLines[b];
    const endLine = b + 1 < blockLines.length ? blockLines[b + 1] : lineStarts.length;
    const start = lineStarts[first];
    const end = endLine < lineStarts.length ? lineStarts[endLine] : text.length;
    const header = lineAt(first).replace(/\r?\n$/, '');
    const m = TOP_KEY.exec(header)!;
    const rest = m[2].replace(/\s+#.*$/, '').trim();
    const block: Block = { key: m[1], header: { start, end }, items: [] };
    if (rest === '') {
      // A block list under the key: split at the lines that start its items.
      let indent = -1;
      const itemLines: number[] = [];
      for (let i = first + 1; i < endLine; i++) {
        const line = lineAt(i);
        const mm = /^( *)(\S)/.exec(line);
        if (!mm || mm[2] === '#') continue;
        if (indent < 0) {
          if (mm[2] !== '-' || !/^ *-(\s|$)/.test(line)) break; // a mapping, not a list
          indent = mm[1].length;
        }
        if (mm[1].length === indent && /^ *-(\s|$)/.test(line)) itemLines.push(i);
        else if (mm[1].length <= indent) return undefined; // something else at the list's level
      }
      if (itemLines.length > 1) {
        block.header = { start, end: lineStarts[itemLines[0]] };
        block.items = itemLines.map((l, k) => ({
          start: lineStarts[l],
          end: k + 1 < itemLines.length ? lineStarts[itemLines[k + 1]] : end,
        }));
      }
    }
    blocks.push(block);
  }
  return blocks;
}

