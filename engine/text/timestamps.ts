/** Reading the timestamps of exported metric files (CSV from NAB, Prometheus, spreadsheets). */

/**
 * Epoch milliseconds of a timestamp cell: `YYYY-MM-DD HH:MM:SS[.fff]` or ISO 8601 (UTC when
 * no zone is given), or epoch seconds (below 1e11) or milliseconds. NaN when unreadable.
 */
export function parseTimestamp(s: string): number {
  // Fast path: `2014-04-01 00:00:00` / `2014-04-01T00:00:00`, optional fraction and `Z`.
  if (s.length >= 19 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58) {
    const sep = s.charCodeAt(10);
    if (sep === 32 || sep === 84) {
      const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
      let rest = s.length === 19 ? 0 : -1;
      if (rest < 0) {
        let i = 19;
        let ms = 0;
        if (s.charCodeAt(i) === 46) {
          let scale = 100;
          for (i++; i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
            ms += (s.charCodeAt(i) - 48) * scale;
            scale /= 10;
          }
        }
        if (i === s.length || (i === s.length - 1 && s.charCodeAt(i) === 90)) rest = ms;
      }
      if (rest >= 0 && y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 24 && mi >= 0 && mi <= 59 && se >= 0 && se <= 60) {
        return Date.UTC(y, mo - 1, d, h, mi, se) + rest;
      }
    }
  }
  const t = s.trim();
  if (t === '') return NaN;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  // Other ISO forms; a date-time without a zone is read as UTC, like the fast path.
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(t) || !/\d[T ]\d/.test(t) ? t : t.replace(' ', 'T') + 'Z';
  return Date.parse(zoned);
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
