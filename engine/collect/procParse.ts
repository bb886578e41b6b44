/**
 * Parsers of Linux /proc files. Pure functions, unit-tested on captured samples; the readers
 * (procSystem.ts, procProcess.ts, discovery.ts) only read files and keep state.
 *
 * The monitor reads these files ten times a second, so the parsers work on the bytes the
 * kernel gave (a reused buffer, see procFile.ts) and build no strings, arrays or maps: a
 * `scan…` function walks the bytes and hands numbers to a callback or fills an object the
 * caller reuses. The `parse…` functions take text and build plain results; they are the
 * same scanners, for tests and callers off the hot path.
 */

const SP = 32;
const TAB = 9;
const NL = 10;
const ZERO = 48;
const NINE = 57;
const DOT = 46;

/** A position in a buffer, moved by the readers below (one per scan, so no tuple is allocated per number). */
class Cursor {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;

  at(buf: Uint8Array, pos: number, end: number): this {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** Skips a field whatever it holds (a signed or huge number the caller does not need). */
  skip(): void {
    this.word();
  }

  skipBlanks(): void {
    const b = this.buf;
    while (this.pos < this.end && (b[this.pos] === SP || b[this.pos] === TAB)) this.pos++;
  }

  /** An unsigned decimal (with an optional fraction), after blanks; NaN when there is none. */
  number(): number {
    this.skipBlanks();
    const b = this.buf;
    let p = this.pos;
    let v = 0;
    let digits = 0;
    while (p < this.end && b[p] >= ZERO && b[p] <= NINE) {
      v = v * 10 + (b[p++] - ZERO);
      digits++;
    }
    if (p < this.end && b[p] === DOT) {
      p++;
      let scale = 1;
      while (p < this.end && b[p] >= ZERO && b[p] <= NINE) {
        v = v * 10 + (b[p++] - ZERO);
        scale *= 10;
        digits++;
      }
      // Integer over a power of ten: the correctly rounded value, as Number() gives.
      v /= scale;
    }
    this.pos = p;
    // A number must end at a blank, a line end or the end of the text ("12ab" is not one).
    if (digits === 0 || (p < this.end && b[p] !== SP && b[p] !== TAB && b[p] !== NL)) return NaN;
    return v;
  }

  /** Skips the rest of the line and its newline. */
  nextLine(): void {
    const b = this.buf;
    while (this.pos < this.end && b[this.pos] !== NL) this.pos++;
    if (this.pos < this.end) this.pos++;
  }

  /** Skips a word (up to a blank or line end), after blanks; returns its start. */
  word(): number {
    this.skipBlanks();
    const start = this.pos;
    const b = this.buf;
    while (this.pos < this.end && b[this.pos] !== SP && b[this.pos] !== TAB && b[this.pos] !== NL) this.pos++;
    return start;
  }

  /** Whether the bytes at the position are `ascii` (not moving). */
  startsWith(ascii: string): boolean {
    if (this.pos + ascii.length > this.end) return false;
    for (let i = 0; i < ascii.length; i++) if (this.buf[this.pos + i] !== ascii.charCodeAt(i)) return false;
    return true;
  }
}

const cursor = new Cursor();
const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');
const whole = (text: string): [Buffer, number] => {
  const b = bytesOf(text);
  return [b, b.length];
};
/** The bytes as text (names of devices and interfaces are ASCII). */
export const latin1 = (buf: Uint8Array, start: number, end: number): string => Buffer.prototype.latin1Slice.call(buf, start, end) as string;

export interface CpuTimes {
  /** Jiffies spent doing work: user, nice, system, irq, softirq, steal. */
  busy: number;
  /** All jiffies: busy + idle + iowait. */
  total: number;
}

/**
 * `/proc/stat`: CPU times by cpu, `cpu` = -1 for the `cpu` line (all cores), 0, 1, … for
 * the cores. Lines of other kinds and malformed cpu lines are skipped.
 */
export function scanProcStat(buf: Uint8Array, len: number, onCpu: (cpu: number, busy: number, total: number) => void): void {
  const c = cursor.at(buf, 0, len);
  while (c.pos < c.end) {
    if (!c.startsWith('cpu')) {
      c.nextLine();
      continue;
    }
    c.pos += 3;
    let cpu = -1;
    if (c.pos < c.end && buf[c.pos] >= ZERO && buf[c.pos] <= NINE) {
      cpu = 0;
      while (c.pos < c.end && buf[c.pos] >= ZERO && buf[c.pos] <= NINE) cpu = cpu * 10 + (buf[c.pos++] - ZERO);
    }
    if (c.pos < c.end && buf[c.pos] !== SP && buf[c.pos] !== TAB) {
      c.nextLine(); // "cpufoo": not a cpu line
      continue;
    }
    // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice)
    const user = c.number();
    const nice = c.number();
    const system = c.number();
    const idle = c.number();
    let iowait = 0;
    let irq = 0;
    let softirq = 0;
    let steal = 0;
    c.skipBlanks();
    if (c.pos < c.end && buf[c.pos] !== NL) iowait = c.number();
    c.skipBlanks();
    if (c.pos < c.end && buf[c.pos] !== NL) irq = c.number();
    c.skipBlanks();
    if (c.pos < c.end && buf[c.pos] !== NL) softirq = c.number();
    c.skipBlanks();
    if (c.pos < c.end && buf[c.pos] !== NL) steal = c.number();
    c.nextLine();
    const busy = user + nice + system + irq + softirq + steal;
    const total = busy + idle + iowait;
    if (Number.isFinite(total)) onCpu(cpu, busy, total);
  }
}

/** `/proc/stat`: CPU times by cpu ("total" for the `cpu` line, "0", "1", … for the cores). */
export function parseProcStat(text: string): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  scanProcStat(...whole(text), (cpu, busy, total) => out.set(cpu < 0 ? 'total' : String(cpu), { busy, total }));
  return out;
}

/** Share of busy time between two readings (0..1), undefined when no time passed or a counter went back. */
export function cpuRatio(prev: CpuTimes, cur: CpuTimes): number | undefined {
  const dt = cur.total - prev.total;
  const db = cur.busy - prev.busy;
  if (!(dt > 0) || db < 0) return undefined;
  return Math.min(1, db / dt);
}

/** The fields of /proc/meminfo the monitor uses, in bytes (NaN when the file lacks one). */
export interface Meminfo {
  memTotal: number;
  memFree: number;
  memAvailable: number;
  buffers: number;
  cached: number;
  swapTotal: number;
  swapFree: number;
}

export const emptyMeminfo = (): Meminfo => ({ memTotal: NaN, memFree: NaN, memAvailable: NaN, buffers: NaN, cached: NaN, swapTotal: NaN, swapFree: NaN });

const MEMINFO_KEYS: readonly [string, keyof Meminfo][] = [
  ['MemTotal:', 'memTotal'],
  ['MemFree:', 'memFree'],
  ['MemAvailable:', 'memAvailable'],
  ['Buffers:', 'buffers'],
  ['Cached:', 'cached'],
  ['SwapTotal:', 'swapTotal'],
  ['SwapFree:', 'swapFree'],
];

/** `/proc/meminfo` into `out` (reused by the caller): values in bytes. */
export function scanMeminfo(buf: Uint8Array, len: number, out: Meminfo): Meminfo {
  for (const [, k] of MEMINFO_KEYS) out[k] = NaN;
  const c = cursor.at(buf, 0, len);
  let found = 0;
  while (c.pos < c.end && found < MEMINFO_KEYS.length) {
    for (const [prefix, k] of MEMINFO_KEYS) {
      if (!c.startsWith(prefix)) continue;
      c.pos += prefix.length;
      const v = c.number();
      c.skipBlanks();
      out[k] = c.startsWith('kB') ? v * 1024 : v;
      found++;
      break;
    }
    c.nextLine();
  }
  return out;
}

/** `/proc/meminfo`: the fields the monitor uses, in bytes. */
export function parseMeminfo(text: string): Meminfo {
  return scanMeminfo(...whole(text), emptyMeminfo());
}

/** `/proc/loadavg`: the 1, 5 and 15 minute load averages into `out`; false when malformed. */
export function scanLoadavg(buf: Uint8Array, len: number, out: number[]): boolean {
  const c = cursor.at(buf, 0, len);
  out[0] = c.number();
  out[1] = c.number();
  out[2] = c.number();
  return Number.isFinite(out[0]) && Number.isFinite(out[1]) && Number.isFinite(out[2]);
}

/** `/proc/loadavg`: the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): [number, number, number] | undefined {
  const out = [NaN, NaN, NaN];
  return scanLoadavg(...whole(text), out) ? (out as [number, number, number]) : undefined;
}

export interface NetCounters {
  rxBytes: number;
  txBytes: number;
}

/**
 * `/proc/net/dev`: received and transmitted bytes by interface; the name is
 * `buf[nameStart, nameEnd)` (compare it with `sameName` before building a string).
 */
export function scanNetDev(buf: Uint8Array, len: number, on: (nameStart: number, nameEnd: number, rxBytes: number, txBytes: number) => void): void {
  const c = cursor.at(buf, 0, len);
  while (c.pos < c.end) {
    const lineStart = c.pos;
    let colon = -1;
    let bar = false;
    for (let p = lineStart; p < c.end && buf[p] !== NL; p++) {
      if (buf[p] === 58 /* : */ && colon < 0) colon = p;
      else if (buf[p] === 124 /* | */) bar = true;
    }
    if (colon < 0 || bar) {
      c.nextLine();
      continue;
    }
    let a = lineStart;
    while (a < colon && (buf[a] === SP || buf[a] === TAB)) a++;
    let b = colon;
    while (b > a && (buf[b - 1] === SP || buf[b - 1] === TAB)) b--;
    c.pos = colon + 1;
    const rx = c.number();
    for (let i = 0; i < 7; i++) c.skip();
    const tx = c.number();
    c.nextLine();
    if (b > a && Number.isFinite(rx) && Number.isFinite(tx)) on(a, b, rx, tx);
  }
}

/** `/proc/net/dev`: received and transmitted bytes by interface. */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  const buf = bytesOf(text);
  scanNetDev(buf, buf.length, (a, b, rxBytes, txBytes) => out.set(latin1(buf, a, b), { rxBytes, txBytes }));
  return out;
}

export interface DiskCounters {
  readBytes: number;
  writeBytes: number;
}

/** `/proc/diskstats`: bytes read and written by device (sectors are always 512 bytes there); the name is `buf[nameStart, nameEnd)`. */
export function scanDiskstats(buf: Uint8Array, len: number, on: (nameStart: number, nameEnd: number, readBytes: number, writeBytes: number) => void): void {
  const c = cursor.at(buf, 0, len);
  while (c.pos < c.end) {
    c.skip(); // major
    c.skip(); // minor
    const a = c.word();
    const b = c.pos;
    c.skip(); // reads completed
    c.skip(); // reads merged
    const sectorsRead = c.number();
    c.skip(); // ms reading
    c.skip(); // writes completed
    c.skip(); // writes merged
    const sectorsWritten = c.number();
    c.nextLine();
    if (b > a && Number.isFinite(sectorsRead) && Number.isFinite(sectorsWritten)) on(a, b, sectorsRead * 512, sectorsWritten * 512);
  }
}

/** `/proc/diskstats`: bytes read and written by device. */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  const buf = bytesOf(text);
  scanDiskstats(buf, buf.length, (a, b, readBytes, writeBytes) => out.set(latin1(buf, a, b), { readBytes, writeBytes }));
  return out;
}

/** Whether `buf[start, end)` holds the ASCII text `name`. */
export function sameName(buf: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** User and system CPU time, in clock ticks (USER_HZ). */
  utimeTicks: number;
  stimeTicks: number;
  threads: number;
  /** Start time after boot, in clock ticks (field 22): with the pid, the identity of a process. */
  startTime: number;
  /** Resident set size in pages. */
  rssPages: number;
}

export const emptyPidStat = (): PidStat => ({ pid: 0, comm: '', state: '', ppid: 0, utimeTicks: 0, stimeTicks: 0, threads: 0, startTime: 0, rssPages: 0 });

/**
 * `/proc/PID/stat` into `out`; false when malformed. The command name (field 2) is in
 * parentheses and may itself contain spaces and parentheses, so fields are counted from
 * the last `)`.
 */
export function scanPidStat(buf: Uint8Array, len: number, out: PidStat): boolean {
  let open = -1;
  let close = -1;
  for (let p = 0; p < len; p++) {
    if (buf[p] === 40 /* ( */ && open < 0) open = p;
    else if (buf[p] === 41 /* ) */) close = p;
  }
  if (open < 0 || close < open) return false;
  const c = cursor.at(buf, 0, open);
  const pid = c.number();
  c.skipBlanks();
  if (!Number.isInteger(pid) || c.pos !== open) return false;
  c.at(buf, close + 1, len);
  const stateAt = c.word();
  if (c.pos === stateAt) return false;
  // Field k (k ≥ 4) is the (k − 3)th number after the state.
  const values = pidStatFields;
  let k = 4;
  for (; k <= 24; k++) {
    if (k === 4 || k === 14 || k === 15 || k === 20 || k === 22 || k === 24) {
      const v = c.number();
      if (!Number.isFinite(v)) return false;
      values[k] = v;
    } else {
      const at = c.word();
      if (c.pos === at) return false;
    }
  }
  out.pid = pid;
  out.comm = Buffer.prototype.utf8Slice.call(buf, open + 1, close) as string;
  out.state = buf[stateAt] === 90 ? 'Z' : buf[stateAt] === 88 ? 'X' : latin1(buf, stateAt, stateAt + 1);
  out.ppid = values[4];
  out.utimeTicks = values[14];
  out.stimeTicks = values[15];
  out.threads = values[20];
  out.startTime = values[22];
  out.rssPages = values[24];
  return true;
}
const pidStatFields = new Float64Array(25);

/** `/proc/PID/stat`; undefined when malformed. */
export function parsePidStat(text: string): PidStat | undefined {
  const s = emptyPidStat();
  return scanPidStat(...whole(text), s) ? s : undefined;
}

/** `/proc/PID/io`: bytes the process caused to be read from and written to storage, into `out`; false when missing. */
export function scanPidIo(buf: Uint8Array, len: number, out: { readBytes: number; writeBytes: number }): boolean {
  const c = cursor.at(buf, 0, len);
  let r = NaN;
  let w = NaN;
  while (c.pos < c.end) {
    if (c.startsWith('read_bytes:')) {
      c.pos += 11;
      r = c.number();
    } else if (c.startsWith('write_bytes:')) {
      c.pos += 12;
      w = c.number();
    }
    c.nextLine();
  }
  out.readBytes = r;
  out.writeBytes = w;
  return Number.isFinite(r) && Number.isFinite(w);
}

/** `/proc/PID/io`: bytes the process caused to be read from and written to storage. */
export function parsePidIo(text: string): { readBytes: number; writeBytes: number } | undefined {
  const out = { readBytes: NaN, writeBytes: NaN };
  return scanPidIo(...whole(text), out) ? out : undefined;
}

/** `/proc/PID/cmdline`: NUL-separated arguments, joined with spaces for matching. */
export function parseCmdline(raw: string): string {
  return raw.replace(/\0+$/, '').split('\0').join(' ');
}
