/**
 * The flame graph webview: a profile's merged call tree (one subtree per thread) drawn on a
 * canvas as an icicle (callers above callees), widths proportional to total time. Colours
 * come from the theme (`--vscode-charts-*`), hot self time is drawn more saturated; a click
 * on a frame opens its source, a double click zooms into it, Escape or a click on the root
 * zooms out. Text is painted, never parsed as HTML.
 */
import type { ExtensionToWebview, FlameGraphData, FlameNode } from '../../protocol/index';
import { el } from '../shared/dom';
import { onMessage, post } from '../shared/vscodeApi';

const ROW = 18;
const root = document.getElementById('root')!;
let data: FlameGraphData | undefined;
let zoom: FlameNode | undefined;
let boxes: { x: number; y: number; w: number; node: FlameNode; depth: number }[] = [];

const canvas = el('canvas', { class: 'flame' });
const info = el('div', { class: 'info' });
const header = el('div', { class: 'header' });
const tip = el('div', { class: 'tip' });

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const PALETTE = ['--vscode-charts-orange', '--vscode-charts-red', '--vscode-charts-yellow', '--vscode-charts-purple', '--vscode-charts-blue', '--vscode-charts-green'];
function colourOf(n: FlameNode): string {
  const f = n.fn >= 0 ? data!.functions[n.fn] : undefined;
  if (!f) return cssVar('--vscode-charts-lines', '#888');
  if (f.category === 'gc') return cssVar('--vscode-charts-purple', '#a0f');
  if (f.category === 'node' || f.category === 'native' || f.category === 'program') return cssVar('--vscode-charts-blue', '#48f');
  if (f.category === 'dependency') return cssVar('--vscode-charts-green', '#4a4');
  // User code: a stable colour per file-ish name, hotter self time → red/orange.
  if (f.selfPct >= 5) return cssVar('--vscode-charts-red', '#e44');
  let h = 0;
  for (const c of n.name) h = (h * 31 + c.charCodeAt(0)) | 0;
  return cssVar(PALETTE[Math.abs(h) % 3], '#f80');
}

function depthOf(n: FlameNode): number {
  let d = 0;
  for (const c of n.children) d = Math.max(d, depthOf(c));
  return d + 1;
}

function layout(top: FlameNode, width: number): void {
  boxes = [];
  const scale = top.totalMs > 0 ? width / top.totalMs : 0;
  const walk = (n: FlameNode, x: number, depth: number) => {
    const w = n.totalMs * scale;
    if (w < 0.5) return;
    boxes.push({ x, y: depth * ROW, w, node: n, depth });
    let cx = x;
    for (const c of n.children) { walk(c, cx, depth + 1); cx += c.totalMs * scale; }
  };
  walk(top, 0, 0);
}

function draw(): void {
  if (!data) return;
  const top = zoom ?? data.flame;
  const width = Math.max(200, root.clientWidth || window.innerWidth - 32);
  const height = depthOf(top) * ROW + 2;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const g = canvas.getContext('2d')!;
  g.scale(dpr, dpr);
  g.clearRect(0, 0, width, height);
  layout(top, width);
  const fg = cssVar('--vscode-editor-background', '#1e1e1e');
  g.font = `12px ${cssVar('--vscode-editor-font-family', 'monospace')}`;
  g.textBaseline = 'middle';
  for (const b of boxes) {
    g.fillStyle = colourOf(b.node);
    g.fillRect(b.x, b.y, Math.max(1, b.w - 1), ROW - 1);
    if (b.w > 30) {
      g.fillStyle = fg;
      const label = b.node.name;
      const max = Math.floor((b.w - 6) / 7);
      g.fillText(label.length > max ? `${label.slice(0, Math.max(1, max - 1))}…` : label, b.x + 3, b.y + ROW / 2);
    }
  }
  // The widest frame with a source, for tests and screen readers: where a click opens code.
  const linked = boxes.filter((b) => b.node.fn >= 0 && data!.functions[b.node.fn]?.uri).sort((a, b) => b.w - a.w)[0];
  canvas.setAttribute('aria-label', linked ? `Flame graph; widest frame with source: ${linked.node.name}` : 'Flame graph');
  canvas.dataset.linkedFrame = linked ? JSON.stringify({ x: Math.round(linked.x + linked.w / 2), y: linked.y + ROW / 2, name: linked.node.name }) : '';
  document.body.dataset.rendered = 'true';
  document.body.dataset.frames = String(boxes.length);
}

function hit(ev: MouseEvent): (typeof boxes)[number] | undefined {
  const r = canvas.getBoundingClientRect();
  const x = ev.clientX - r.left, y = ev.clientY - r.top;
  return boxes.find((b) => x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + ROW);
}

const pct = (ms: number) => (data && data.busyMs > 0 ? `${((100 * ms) / data.busyMs).toFixed(1)}%` : '');

canvas.addEventListener('mousemove', (ev) => {
  const b = hit(ev);
  if (!b) { tip.style.display = 'none'; return; }
  const f = b.node.fn >= 0 ? data!.functions[b.node.fn] : undefined;
  tip.textContent = `${b.node.name} — ${pct(b.node.totalMs)} total, ${pct(b.node.selfMs)} self on this path${f?.uri ? ' · click to open' : ''}`;
  tip.style.display = 'block';
  tip.style.left = `${Math.min(ev.clientX + 12, window.innerWidth - 320)}px`;
  tip.style.top = `${ev.clientY + 14}px`;
});
canvas.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
canvas.addEventListener('click', (ev) => {
  const b = hit(ev);
  if (!b) return;
  if (b.depth === 0 && zoom) { zoom = undefined; draw(); return; }
  const f = b.node.fn >= 0 ? data!.functions[b.node.fn] : undefined;
  if (f?.uri && f.line !== undefined) post({ type: 'reveal', uri: f.uri, range: { start: { line: f.line, character: 0 }, end: { line: f.line, character: 0 } } });
});
canvas.addEventListener('dblclick', (ev) => {
  const b = hit(ev);
  if (b && b.node.children.length) { zoom = b.node; draw(); }
});
window.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && zoom) { zoom = undefined; draw(); } });
window.addEventListener('resize', () => draw());

function render(d: FlameGraphData): void {
  data = d;
  zoom = undefined;
  const when = new Date(d.startedAt).toLocaleString();
  header.textContent = `${d.component} · ${when} · ${Math.round(d.busyMs)} ms busy over all threads`;
  const top = d.functions.filter((f) => f.category === 'user').slice(0, 3).map((f) => `${f.name} ${f.selfPct.toFixed(1)}% self`).join(' · ');
  info.textContent = top ? `Hottest: ${top}. Click a frame to open its source; double-click to zoom, Escape to zoom out.` : 'No user code in this profile.';
  root.replaceChildren(header, info, canvas, tip);
  draw();
}

onMessage((m: ExtensionToWebview) => {
  if (m.type === 'flame') render(m.data);
  else if (m.type === 'error') { root.replaceChildren(el('p', { class: 'error' }, m.message)); document.body.dataset.rendered = 'true'; }
});
post({ type: 'ready' });
