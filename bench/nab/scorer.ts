/**
 * The NAB scorer, written from the Numenta Anomaly Benchmark's published rules
 * (Lavin & Ahmad 2015, and the reference `nab/sweeper.py` behaviour):
 *
 * - The first `min(floor(0.15 n), 0.15 * 5000)` rows of each file are probationary: their
 *   detections are ignored (neither rewarded nor penalized).
 * - A detection is a row whose score is >= the threshold.
 * - In a window of w rows [l, r], the row i has the relative position y = -(r - i + 1) / w
 *   (-1 at the first row, close to 0 at the last). Only the best (= earliest) detection of a
 *   window counts: A_TP * σ(y) / σ(-1), with σ(y) = 2 / (1 + e^(5y)) - 1. A window with no
 *   detection costs -A_FN.
 * - A detection outside every window is a false positive: -A_FP when no window came
 *   before it, else A_FP * σ((i - r) / (w - 1)) with r, w the end and width of the
 *   preceding window (σ < 0 there, so an FP right after a window costs little and one far
 *   away costs A_FP; σ is -1 beyond y = 3).
 * - The corpus raw score is the sum over files. The threshold is one per profile, chosen to
 *   maximize the corpus raw score over every distinct score value (an exact sweep, which is
 *   what NAB's optimizer approximates).
 * - Normalized = 100 (raw - null) / (perfect - null); null = -A_FN per window (never
 *   detects), perfect = A_TP per window (detects each window at its first row).
 */

export interface CostProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** A window [start, end] in epoch milliseconds, both ends included. */
export type Window = readonly [number, number];

export interface FileResult {
  file: string;
  /** Epoch milliseconds, in row order. */
  timestamps: ArrayLike<number>;
  /** One anomaly score a row, in [0, 1]. */
  scores: ArrayLike<number>;
}

export interface CorpusScore {
  raw: number;
  normalized: number;
  /** Detections are the rows with score >= threshold; Infinity when nothing is detected. */
  threshold: number;
  /** Windows detected. */
  tp: number;
  /** Detections outside every window (after the probationary period). */
  fp: number;
  /** Windows missed. */
  fn: number;
  /** The raw scores of the null and perfect detectors, the ends of the normalization. */
  nullRaw: number;
  perfectRaw: number;
}

export const PROBATION_PERCENT = 0.15;

/** NAB's probationary period: 15% of the rows, at most 750 rows. */
export function probationLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** NAB's scaled sigmoid: 2 / (1 + e^(5y)) - 1, and -1 beyond y = 3. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** What each scorable row of a file is worth if it is a detection. */
export interface PreparedFile {
  file: string;
  /** Row indices after the probationary period. */
  rows: Int32Array;
  /** The window index (0-based within the file) of each scorable row, -1 outside windows. */
  window: Int32Array;
  /** The weight of a detection on that row (TP weight in a window, negative FP weight outside). */
  weight: Float64Array;
  scores: Float64Array;
  /** Windows of the file that contain at least one row (they count as TP or FN). */
  windowCount: number;
}

/**
 * Row ranges [l, r] of the windows in a file, found as NAB does in row order: a window
 * starts at the first row at or after its start time and ends at the first row after that
 * at its end time (or the row before the first one past it). Real NAB files repeat some
 * timestamps and step back once (clock changes), so rows are scanned, not binary-searched.
 * A window with no row is dropped.
 */
export function windowRows(timestamps: ArrayLike<number>, windows: readonly Window[]): Array<[number, number]> {
  const sorted = [...windows].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  const n = timestamps.length;
  let from = 0;
  for (const [start, end] of sorted) {
    let l = from;
    while (l < n && timestamps[l] < start) l++;
    let r = l;
    while (r < n && timestamps[r] < end) r++;
    if (r >= n || timestamps[r] > end) r--;
    if (l < n && r >= l) {
      out.push([l, r]);
      from = r + 1;
    }
  }
  return out;
}

export function prepareFile(result: FileResult, windows: readonly Window[], profile: CostProfile, probationPercent = PROBATION_PERCENT): PreparedFile {
  const n = result.timestamps.length;
  if (result.scores.length !== n) throw new Error(`${result.file}: ${n} timestamps but ${result.scores.length} scores`);
  const ranges = windowRows(result.timestamps, windows);
  const probation = probationLength(n, probationPercent);
  const first = Math.min(n, Math.ceil(probation));
  const m = n - first;
  const rows = new Int32Array(m);
  const window = new Int32Array(m);
  const weight = new Float64Array(m);
  const scores = new Float64Array(m);
  let w = 0; // next window
  let prev = -1; // the window that ended last
  for (let i = 0; i < n; i++) {
    while (w < ranges.length && ranges[w][1] < i) prev = w++;
    if (i < first) continue;
    const k = i - first;
    rows[k] = i;
    const s = Number(result.scores[i]);
    scores[k] = Number.isFinite(s) ? s : 0;
    if (w < ranges.length && ranges[w][0] <= i) {
      const [l, r] = ranges[w];
      const y = -(r - i + 1) / (r - l + 1);
      window[k] = w;
      weight[k] = (profile.tpWeight * scaledSigmoid(y)) / MAX_TP;
    } else {
      window[k] = -1;
      if (prev < 0) weight[k] = -profile.fpWeight;
      else {
        const [l, r] = ranges[prev];
        weight[k] = profile.fpWeight * scaledSigmoid((i - r) / (r - l));
      }
    }
  }
  return { file: result.file, rows, window, weight, scores, windowCount: ranges.length };
}

function normalize(raw: number, windows: number, profile: CostProfile): { normalized: number; nullRaw: number; perfectRaw: number } {
  const nullRaw = -profile.fnWeight * windows;
  const perfectRaw = profile.tpWeight * windows;
  const normalized = perfectRaw === nullRaw ? 0 : (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
  return { normalized, nullRaw, perfectRaw };
}

/** The corpus score when the rows with score >= threshold are the detections. */
export function scoreAtThreshold(files: readonly PreparedFile[], profile: CostProfile, threshold: number): CorpusScore {
  let raw = 0;
  let tp = 0;
  let fp = 0;
  let windows = 0;
  for (const f of files) {
    windows += f.windowCount;
    const best = new Float64Array(f.windowCount).fill(-profile.fnWeight);
    const hit = new Uint8Array(f.windowCount);
    for (let k = 0; k < f.rows.length; k++) {
      if (!(f.scores[k] >= threshold)) continue;
      const w = f.window[k];
      if (w < 0) {
        raw += f.weight[k];
        fp++;
      } else {
        hit[w] = 1;
        if (f.weight[k] > best[w]) best[w] = f.weight[k];
      }
    }
    for (let w = 0; w < f.windowCount; w++) {
      raw += best[w];
      tp += hit[w];
    }
  }
  return { raw, threshold, tp, fp, fn: windows - tp, ...normalize(raw, windows, profile) };
}

/**
 * The threshold that maximizes the corpus raw score: a sweep from the highest score down,
 * evaluating every distinct score value (and "no detection"). Ties keep the higher threshold.
 */
export function optimizeThreshold(files: readonly PreparedFile[], profile: CostProfile): number {
  const offsets: number[] = [];
  let total = 0;
  let windows = 0;
  for (const f of files) {
    offsets.push(windows);
    windows += f.windowCount;
    total += f.rows.length;
  }
  const score = new Float64Array(total);
  const weight = new Float64Array(total);
  const win = new Int32Array(total);
  let j = 0;
  files.forEach((f, fi) => {
    for (let k = 0; k < f.rows.length; k++, j++) {
      score[j] = f.scores[k];
      weight[j] = f.weight[k];
      win[j] = f.window[k] < 0 ? -1 : offsets[fi] + f.window[k];
    }
  });
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  const best = new Float64Array(windows).fill(-profile.fnWeight);
  let raw = -profile.fnWeight * windows;
  let bestRaw = raw;
  let bestThreshold = Infinity;
  for (let p = 0; p < total; ) {
    const s = score[order[p]];
    for (; p < total && score[order[p]] === s; p++) {
      const i = order[p];
      const w = win[i];
      if (w < 0) raw += weight[i];
      else if (weight[i] > best[w]) {
        raw += weight[i] - best[w];
        best[w] = weight[i];
      }
    }
    if (raw > bestRaw + 1e-12) {
      bestRaw = raw;
      bestThreshold = s;
    }
  }
  return bestThreshold;
}

/**
 * Scores a corpus for one profile: the given threshold, or the optimal one.
 * `windows` maps each result's `file` to its windows (a file missing from it has none).
 */
export function scoreCorpus(
  results: readonly FileResult[],
  windows: Readonly<Record<string, readonly Window[]>>,
  profile: CostProfile,
  opts: { threshold?: number; probationPercent?: number } = {},
): CorpusScore {
  const files = results.map((r) => prepareFile(r, windows[r.file] ?? [], profile, opts.probationPercent));
  const threshold = opts.threshold ?? optimizeThreshold(files, profile);
  return scoreAtThreshold(files, profile, threshold);
}
