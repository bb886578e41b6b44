/** Small readers over the `yaml` document model that keep source ranges at hand. */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

export function resolve(doc: Document.Parsed, node: unknown): Node | null {
  let n = node as Node | null | undefined;
  // An alias chain is short in any real file; the cap stops cycles in hostile ones.
  for (let i = 0; i < 16 && n && isAlias(n); i++) n = n.resolve(doc) as Node | undefined;
  return n && !isAlias(n) ? n : null;
}

export function pairOf(map: YAMLMap, key: string): Pair<Scalar, Node | null> | undefined {
  return (map.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair<Scalar, Node | null> | undefined;
}

export function mapAt(doc: Document.Parsed, map: YAMLMap | null | undefined, key: string): YAMLMap | undefined {
  if (!map) return undefined;
  const v = resolve(doc, pairOf(map, key)?.value);
  return v && isMap(v) ? v : undefined;
}

export function seqAt(doc: Document.Parsed, map: YAMLMap | null | undefined, key: string): YAMLSeq | undefined {
  if (!map) return undefined;
  const v = resolve(doc, pairOf(map, key)?.value);
  return v && isSeq(v) ? v : undefined;
}

/** The scalar under `key`, with its text and range; undefined when absent or not a scalar. */
export function scalarAt(doc: Document.Parsed, map: YAMLMap | null | undefined, key: string): { value: unknown; text: string; range: [number, number] } | undefined {
  if (!map) return undefined;
  const v = resolve(doc, pairOf(map, key)?.value);
  if (!v || !isScalar(v) || v.value === null || !v.range) return undefined;
  return { value: v.value, text: String(v.value), range: [v.range[0], v.range[1]] };
}

export function mapsOf(doc: Document.Parsed, seq: YAMLSeq | undefined): YAMLMap[] {
  if (!seq) return [];
  const out: YAMLMap[] = [];
  for (const item of seq.items) {
    const r = resolve(doc, item);
    if (r && isMap(r)) out.push(r);
  }
  return out;
}

export function rootMap(doc: Document.Parsed): YAMLMap | undefined {
  const c = resolve(doc, doc.contents);
  return c && isMap(c) ? c : undefined;
}
