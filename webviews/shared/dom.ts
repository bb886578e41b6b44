/** Tiny DOM helpers. Text is always set as text, never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: { class?: string; title?: string } = {}, ...children: (Node | string | undefined)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (attrs.class) e.className = attrs.class;
  if (attrs.title) e.title = attrs.title;
  for (const c of children) if (c !== undefined) e.append(c);
  return e;
}

export function definitionList(entries: [string, string][]): HTMLDListElement {
  const dl = el('dl');
  for (const [k, v] of entries) dl.append(el('dt', {}, k), el('dd', {}, v));
  return dl;
}
