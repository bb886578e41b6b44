/**
 * Who holds the array buffers in a heap snapshot: `node --max-old-space-size=4096
 * bench/load/arrayBufferOwners.mjs FILE.heapsnapshot [top]`. Backing stores ("system /
 * JSArrayBufferData", outside V8's heap, malloc'ed) are summed by their owner: the first
 * retainer up the chain ArrayBuffer ← typed array ← object that is neither, named by its
 * constructor and the property holding it (e.g. `BlockList.a`, `Array[]` ← `SeriesState.x`).
 * Snapshots come from bench/load/memoryProbe.cjs (ALLUSE_HEAP_SNAPSHOT_AT).
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
const snap = JSON.parse(readFileSync(file, 'utf8'));
const meta = snap.snapshot.meta;
const nf = meta.node_fields.length;
const ef = meta.edge_fields.length;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const { nodes, edges, strings } = snap;
const N = nodes.length / nf;
const iType = meta.node_fields.indexOf('type');
const iName = meta.node_fields.indexOf('name');
const iSize = meta.node_fields.indexOf('self_size');
const iEdges = meta.node_fields.indexOf('edge_count');
const eType = meta.edge_fields.indexOf('type');
const eName = meta.edge_fields.indexOf('name_or_index');
const eTo = meta.edge_fields.indexOf('to_node');

// Retainers: for each node, the (from node, edge) pairs pointing at it.
const retainers = Array.from({ length: N }, () => []);
let e = 0;
for (let n = 0; n < N; n++) {
  const count = nodes[n * nf + iEdges];
  for (let k = 0; k < count; k++, e += ef) {
    const type = edgeTypes[edges[e + eType]];
    if (type === 'weak') continue;
    const to = edges[e + eTo] / nf;
    const name = type === 'element' || type === 'hidden' ? `[${edges[e + eName]}]` : strings[edges[e + eName]];
    retainers[to].push([n, name, type]);
  }
}
const nameOf = (n) => strings[nodes[n * nf + iName]];
const typeOf = (n) => nodeTypes[nodes[n * nf + iType]];
const passThrough = (n) => {
  const name = nameOf(n);
  return name === 'ArrayBuffer' || name === 'SharedArrayBuffer' || /Array$/.test(name) && /^(Ui|I|Fl|Big|Uint8C)/.test(name) || name === 'Buffer' || name === 'system / JSArrayBufferData' || typeOf(n) === 'array' || name === '(internal array)';
};

const byOwner = new Map();
let total = 0;
for (let n = 0; n < N; n++) {
  if (nameOf(n) !== 'system / JSArrayBufferData') continue;
  const size = nodes[n * nf + iSize];
  total += size;
  // Up the chain through array buffers, typed arrays and plain arrays to the first object.
  let cur = n;
  let via = '';
  for (let depth = 0; depth < 8; depth++) {
    const r = retainers[cur].find(([from]) => typeOf(from) !== 'synthetic') ?? retainers[cur][0];
    if (!r) { via = '(no retainer)'; break; }
    const [from, edge] = r;
    if (passThrough(from) || nameOf(from) === 'Array') { cur = from; via = edge; continue; }
    via = `${nameOf(from)}.${edge}`;
    break;
  }
  const o = byOwner.get(via) ?? { bytes: 0, count: 0 };
  o.bytes += size;
  o.count++;
  byOwner.set(via, o);
}
const MiB = (b) => (b / 1048576).toFixed(1);
console.log(`${file}: array buffer backing stores ${MiB(total)} MiB`);
for (const [k, v] of [...byOwner].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) console.log(`  ${MiB(v.bytes).padStart(8)} MiB  ${String(v.count).padStart(7)}  ${k}`);
