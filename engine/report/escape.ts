/**
 * Escaping for the report's HTML. Everything shown comes from metric labels, config files and
 * study logs, which anyone who can write to the workspace controls: every text and attribute
 * value goes through `esc`, so no `<`, `>`, `&` or quote reaches the markup as itself.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
