/**
 * The change time the user types for an impact assessment: "20m" (ago), "14:05" (today, or
 * yesterday when that is still to come), "2026-11-27 14:05[:30]" (local) or any ISO time.
 * Pure, so it is unit-tested without an editor.
 */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseChangeTime(text: string, now: number): number | undefined {
  const s = text.trim();
  const ago = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d)(?:\s+ago)?$/i.exec(s);
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2].toLowerCase()];
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (clock) {
    const d = new Date(now);
    d.setHours(Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0), 0);
    if (Number(clock[1]) > 23 || Number(clock[2]) > 59) return undefined;
    return d.getTime() > now ? d.getTime() - 86_400_000 : d.getTime();
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (local) return new Date(Number(local[1]), Number(local[2]) - 1, Number(local[3]), Number(local[4]), Number(local[5]), Number(local[6] ?? 0)).getTime();
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** "2026-11-27 14:05:30" in local time: what `parseChangeTime` reads back. */
export function formatLocalTime(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
