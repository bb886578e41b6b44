/**
 * The monitor: runs each collector on its own interval (never two rounds of one collector
 * at once), writes the samples to the store, evaluates alerts on every sample, and keeps
 * the status the editor shows, including its own CPU and memory cost.
 */
import { AlertEvaluator, type AlertEvent } from '../alerts/evaluator';
import type { AlertRule } from '../alerts/rules';
import type { Collector, CollectorProblem, CollectResult } from '../collect/types';
import { cachedSeriesId, SeriesKeyCache, type SeriesKey, type SeriesSample } from '../metrics/series';
import type { ComponentConfig } from '../workspace/config';
import type { MetricStore } from './storeApi';
import type { AnomalyTracker } from './anomalies';
import { AnomalyFeed } from './anomalyFeed';
import type { AlertInfo, AnomalyFinding, ComponentStatus, LimitPrediction, MonitorStatus } from './types';
import { predictLimits, type DiskWatch } from './bottlenecks';
import { TurnQueue } from './turnQueue';
import { CostWindow } from './costWindow';
import { RecentMean } from './recentMean';
import { SharedTimer } from './sharedTimer';

/**
 * Below this share of the collection rounds due, the monitor says it is behind. It never
 * queues rounds (a collector's next round starts after its last one ended), so a process
 * short of CPU collects less often; this makes that visible instead of silent.
 */
const BEHIND_RATIO = 0.5;
/** …in this many status intervals in a row (a busy moment is not worth a warning). */
const BEHIND_STATUSES = 3;
/** Learned baselines are saved this often (and when monitoring stops). */
const PERSIST_INTERVAL_MS = 5 * 60_000;

/**
 * Milliseconds from `now` (wall clock) to the first baselines save: at half an interval past a
 * multiple of it, in (0, intervalMs]. The store cuts its head at multiples of its own interval
 * (5 minutes, wall clock: store.ts `cutBoundary`), and the save and the cut are the two moments
 * the monitor's memory peaks (the save allocates and writes 2-3 MB of JSON at the demo's
 * scale). Saving every 5 minutes from the monitor's start put the two together whenever the
 * monitor started just after a boundary (bench:monitor starts 5 s after one: the save came 5-12 s
 * into the cut, its peak on top of the cut's: docs/performance.md, "Monitoring", 28 Nov);
 * halfway between cuts they never meet.
 */
export function firstPersistDelayMs(now: number, intervalMs = PERSIST_INTERVAL_MS): number {
  const d = (((intervalMs / 2 - now) % intervalMs) + intervalMs) % intervalMs;
  return d === 0 ? intervalMs : d;
}
/**
 * The rounds' processing one turn of the event loop runs before the rest waits for a later
 * turn (turnQueue.ts): 50 scrape answers arriving together were processed back to back for
 * 100-220 ms under the load benchmark. A round is processed whole (a few ms for 200 series).
 */
const TURN_BUDGET_MS = 10;

export interface ScheduledCollector {
  collector: Collector;
  intervalMs: number;
}

export interface MonitorOptions {
  collectors: ScheduledCollector[];
  store: MetricStore;
  storePath: string;
  rules: AlertRule[];
  components: ComponentConfig[];
  now?: () => number;
  /** Called as soon as an alert fires or resolves. */
  onAlert?(event: AlertEvent): void;
  /** Called about once a second with the current status. */
  onStatus?(status: MonitorStatus): void;
  /** Scores every series for anomalies, when given (the key series at full rate, the others at most once a second: see anomalyFeed.ts). */
  anomalies?: AnomalyTracker;
  /** Called as soon as anomaly episodes open. */
  onAnomalies?(findings: AnomalyFinding[]): void;
  /** Saves learned state (baselines) now and then and at stop; failures are reported, not thrown. */
  persist?(): void | Promise<void>;
  /** A problem found while setting up (a damaged baselines file), shown until the first save. */
  startupProblem?: string;
  statusIntervalMs?: number;
  /** File systems whose filling is predicted (the store's, components' `limits.diskPath`). */
  disks?: DiskWatch[];
  /** How often the time-to-limit predictions are computed (default 5 s). */
  predictIntervalMs?: number;
  /** Called when the predictions were computed and any is there or was there before. */
  onPredictions?(predictions: LimitPrediction[]): void;
  /** The rounds' processing per turn of the event loop before the rest waits (default TURN_BUDGET_MS; tests give a fake queue's clock through `turnQueue`). */
  turnQueue?: TurnQueue;
}

export class Monitor {
  private readonly alerts: AlertEvaluator;
  /** The loops', the status's and the predictions' one timer (sharedTimer.ts): rounds planned together share a wake-up. */
  private timer = new SharedTimer();
  private readonly problems = new Map<string, CollectorProblem[]>();
  private readonly componentState = new Map<string, Omit<ComponentStatus, 'alerts' | 'problem'>>();
  /** Each component's CPU share over the last second: what the status shows (see RecentMean). */
  private readonly componentCpu = new Map<string, RecentMean>();
  private persistTimer: NodeJS.Timeout | undefined;
  private predictions: LimitPrediction[] = [];
  private persistProblem: string | undefined;
  /** The save in progress: never two at once. */
  private persisting: Promise<void> | undefined;
  private running = false;
  private samplesSinceStatus = 0;
  /** Collection rounds run since the last status, and the intervals of the loops that run them. */
  private roundsSinceStatus = 0;
  private loopIntervals: number[] = [];
  private behindStatuses = 0;
  private samplesPerSecond = 0;
  private lastCpuAt = performance.now();
  private readonly costWindow = new CostWindow();
  private cost = { cpuRatio: 0, rssBytes: process.memoryUsage().rss };
  /**
   * Series seen, by id. Collectors hand out one key object per series while it is scraped, but
   * a scrape forgets the key of a label set it did not see and makes a new one when it comes
   * back (nodejs_active_handles{type} and the like come and go): counting key objects counted
   * every comeback as a new series. `seenKeys` only skips the id for key objects met before.
   */
  private readonly seriesSeen = new Set<string>();
  private readonly seenKeys = new WeakSet<SeriesKey>();
  private readonly now: () => number;

  /** Rounds' processing, a budget per turn of the event loop (see TURN_BUDGET_MS). */
  private readonly turns: TurnQueue;
  private readonly keys = new SeriesKeyCache();
  private readonly anomalyFeed = new AnomalyFeed();
  /** Scratch for the derived samples of a round. */
  private readonly derived: SeriesSample[] = [];
  /** Components whose error-rate SLO needs the derived error ratio, with the rate series it divides. */
  private readonly errorRatioComponents: { name: string; errorsRate: string; throughputRate: string }[];

  constructor(private readonly opts: MonitorOptions) {
    this.persistProblem = opts.startupProblem;
    this.errorRatioComponents = opts.components
      .filter((c) => c.metrics?.errors && c.metrics.throughput && c.slos.errorRate !== undefined)
      .map((c) => ({ name: c.name, errorsRate: `${c.metrics!.errors}_rate`, throughputRate: `${c.metrics!.throughput}_rate` }));
    this.alerts = new AlertEvaluator(opts.rules);
    this.now = opts.now ?? Date.now;
    this.turns = opts.turnQueue ?? new TurnQueue({ budgetMs: TURN_BUDGET_MS });
    for (const c of opts.components) this.componentState.set(c.name, { name: c.name, up: false });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const groups = new Map<string, ScheduledCollector[]>();
    for (const s of this.opts.collectors) {
      const local = s.collector.id === 'system' || s.collector.id.startsWith('process:');
      const key = local ? `local:${s.intervalMs}` : s.collector.id;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    const loops = [...groups.values()];
    this.loopIntervals = loops.map((g) => g[0].intervalMs);
    // The local rounds' interval: other loops start on its moments when they can (spreadStarts).
    const local = [...groups.keys()].filter((k) => k.startsWith('local:')).map((k) => Number(k.slice(6)));
    const delays = spreadStarts(this.loopIntervals, local.length ? Math.min(...local) : undefined);
    this.timer = new SharedTimer();
    const origin = performance.now();
    loops.forEach((g, k) => this.loop(g, origin + delays[k]));
    const cpu = process.cpuUsage();
    this.lastCpuAt = performance.now();
    this.costWindow.reset(cpu.user + cpu.system, this.lastCpuAt);
    // The status and the predictions on the same timer, on the rounds' moments (every 10th and 50th local round at the defaults).
    this.every(origin, this.opts.statusIntervalMs ?? 1000, () => this.tickStatus());
    if (this.opts.persist) {
      this.persistTimer = setTimeout(() => {
        this.persistTimer = setInterval(() => void this.persistNow(), PERSIST_INTERVAL_MS);
        void this.persistNow();
      }, firstPersistDelayMs(Date.now()));
    }
    this.every(origin, this.opts.predictIntervalMs ?? 5000, () => this.predictNow());
  }

  /** Runs `f` every `intervalMs` from `origin` on the shared timer, keeping the phase (late ticks are skipped, not queued). */
  private every(origin: number, intervalMs: number, f: () => void): void {
    let planned = origin + intervalMs;
    const c = this.timer.add(() => {
      planned = nextRoundAt(planned, performance.now(), intervalMs);
      this.timer.plan(c, planned);
      f();
    });
    this.timer.plan(c, planned);
  }

  /** Time-to-limit predictions of the limited series (cheap: a few rollup reads and small fits). */
  predictNow(): LimitPrediction[] {
    const before = this.predictions.length;
    try {
      this.predictions = predictLimits(this.opts.store, this.opts.components, this.now(), { disks: this.opts.disks });
      this.problems.delete('bottlenecks');
    } catch (e) {
      this.predictions = [];
      this.problems.set('bottlenecks', [{ collector: 'bottlenecks', kind: 'internal', message: `Time-to-limit predictions failed: ${(e as Error).message}` }]);
    }
    if (before || this.predictions.length) this.opts.onPredictions?.(this.predictions);
    return this.predictions;
  }

  private persistNow(): Promise<void> {
    if (this.persisting) return this.persisting;
    const save = async () => {
      try {
        await this.opts.persist?.();
        this.persistProblem = undefined;
      } catch (e) {
        this.persistProblem = `Baselines could not be saved: ${(e as Error).message}`;
      }
    };
    this.persisting = save().finally(() => (this.persisting = undefined));
    return this.persisting;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer.stop();
    clearTimeout(this.persistTimer); // the first save's timeout or the interval (node clears either)
    this.turns.flush(); // rounds that came in and wait for their turn: stored before the store's flush
    await this.persisting; // a periodic save under way, then one with the final state
    await this.persistNow();
    for (const s of this.opts.collectors) s.collector.dispose?.();
    await this.opts.store.flush();
  }

  /**
   * Runs a group of collectors with the same interval in one timer: one wake-up, one store
   * append and one alert pass per round instead of one per collector. Only /proc collectors
   * are grouped (they answer at once, without a promise: `collectSync`); network sources
   * each get their own loop, so a slow endpoint never delays anything else.
   *
   * Everything a round needs is made once per loop, not per round: its closure, its timer client, the
   * samples array (nothing keeps it after `ingest`: the store, the alert evaluator and the
   * detectors copy what they keep); a round whose collectors all answer at once runs without
   * a promise.
   */
  private loop(group: ScheduledCollector[], firstAt: number): void {
    const local = group.length > 1 || group[0].collector.id === 'system' || group[0].collector.id.startsWith('process:');
    // A Node component's own process_* series (prom-client) would collide with the same
    // series measured from /proc; the /proc ones are kept.
    const scrape = group.map((g) => g.collector.id.startsWith('scrape:'));
    const samples: SeriesSample[] = [];
    const interval = group[0].intervalMs;
    /** When this round was planned (performance.now): the loop's phase, kept across late rounds (`nextRoundAt`). */
    let planned = firstAt;
    const take = (r: readonly SeriesSample[], dropProcess: boolean) => {
      if (!dropProcess) for (const x of r) samples.push(x);
      else for (const x of r) if (!x.series.name.startsWith('process_')) samples.push(x);
    };
    const processRound = () => {
      // Local collectors never give the rates the derived error ratio is computed from.
      this.ingest(samples, !local, true);
      samples.length = 0;
      // Keep the rhythm and the phase: the next round is planned one interval after this one
      // was (a round that ran late, or waited for its turn, never queues a second one).
      planned = nextRoundAt(planned, performance.now(), interval);
      if (this.running) this.timer.plan(client, planned);
    };
    // Processed as its own task, on a later turn when this one has run long (turnQueue.ts).
    const finish = () => this.turns.run(processRound);
    const round = () => {
      this.roundsSinceStatus++;
      const now = this.now();
      samples.length = 0;
      let pending: Promise<readonly SeriesSample[]>[] | undefined;
      let pendingScrape: boolean[] | undefined;
      for (let i = 0; i < group.length; i++) {
        const r = this.collectNow(group[i], now);
        if (!(r instanceof Promise)) take(r, scrape[i]);
        else {
          (pending ??= []).push(r);
          (pendingScrape ??= []).push(scrape[i]);
        }
      }
      if (!pending) return finish();
      if (pending.length === 1) {
        // A network source's own loop: its one promise, without Promise.all around it.
        const dropProcess = pendingScrape![0];
        void pending[0].then((r) => {
          take(r, dropProcess);
          finish();
        });
        return;
      }
      void Promise.all(pending).then((rs) => {
        for (let i = 0; i < rs.length; i++) take(rs[i], pendingScrape![i]);
        finish();
      });
    };
    const client = this.timer.add(round);
    this.timer.plan(client, planned);
  }

  /** One collector's round: the samples at once when it can answer synchronously, else a promise of them. */
  private collectNow(s: ScheduledCollector, now: number): readonly SeriesSample[] | Promise<readonly SeriesSample[]> {
    try {
      const r = s.collector.collectSync?.(now);
      if (r) return this.accept(s, r);
    } catch (e) {
      return this.failed(s, e);
    }
    return this.collectOne(s, now);
  }

  private async collectOne(s: ScheduledCollector, now: number): Promise<readonly SeriesSample[]> {
    try {
      return this.accept(s, await s.collector.collect(now));
    } catch (e) {
      return this.failed(s, e);
    }
  }

  private accept(s: ScheduledCollector, r: CollectResult): readonly SeriesSample[] {
    // Collectors report a lasting failure only now and then (ProblemThrottle), so a round
    // without problems clears the last ones only when it worked: a round whose `up` or
    // `process_up` is 0, or that gave nothing, keeps them (an endpoint taken by another
    // program, a process that is gone) instead of hiding them after 100 ms.
    if (r.problems.length) this.problems.set(s.collector.id, r.problems);
    else if (this.problems.get(s.collector.id)?.length !== 0 && !stillFailing(r.samples)) this.problems.set(s.collector.id, r.problems);
    return r.samples; // a scrape's process_* series are left out by the loop (`loop`)
  }

  /** Collectors report expected failures as problems; anything else is a bug, contained here. */
  private failed(s: ScheduledCollector, e: unknown): SeriesSample[] {
    this.problems.set(s.collector.id, [{ collector: s.collector.id, kind: 'internal', message: `${s.collector.id}: ${(e as Error).message}` }]);
    return [];
  }

  /**
   * Takes samples from any source (collectors, or a test), stores them and evaluates alerts.
   * `owned`: the array is the caller's scratch, so derived samples may be added to it.
   */
  ingest(samples: SeriesSample[], derive = true, owned = false): void {
    if (samples.length === 0) return;
    let all = samples;
    if (derive) {
      const derived = this.derived;
      derived.length = 0;
      this.derive(samples, derived);
      if (derived.length) {
        if (owned) for (const d of derived) samples.push(d);
        else all = samples.concat(derived);
        derived.length = 0;
      }
    }
    this.opts.store.append(all);
    this.samplesSinceStatus += all.length;
    for (const s of all) {
      // The name first: the labels objects have many shapes, so reading `component` from each is a slow (megamorphic) load.
      if (s.series.name.startsWith('process_')) {
        const c = s.series.labels.component;
        if (c) this.updateComponent(c, s);
      }
      if (!this.seenKeys.has(s.series) && this.seriesSeen.size < 100_000) {
        this.seenKeys.add(s.series);
        this.seriesSeen.add(cachedSeriesId(s.series));
      }
    }
    const events = this.alerts.observe(all);
    for (const e of events) this.opts.onAlert?.(e);
    const opened = this.opts.anomalies?.observe(this.anomalyFeed.select(all)) ?? [];
    if (opened.length) this.opts.onAnomalies?.(opened);
    if (events.length || opened.length) this.tickStatus(false);
  }

  /** Series computed from others, added to `out`: the error ratio that error-rate SLOs watch. */
  private derive(samples: readonly SeriesSample[], out: SeriesSample[]): void {
    for (const c of this.errorRatioComponents) {
      // Sum over label sets (errors by kind, ticks by outcome): the component's totals.
      let err = 0;
      let tput = 0;
      let t = 0;
      let seen = false;
      // The name first (see `ingest`: the component label is a slow load).
      for (const s of samples) {
        const name = s.series.name;
        if (name === c.errorsRate) {
          if (s.series.labels.component === c.name) err += s.v;
        } else if (name === c.throughputRate && s.series.labels.component === c.name) {
          tput += s.v;
          t = s.t;
          seen = true;
        }
      }
      if (seen && tput > 0) out.push({ series: this.keys.get('slo_error_ratio', { component: c.name }), t, v: err / tput });
    }
  }

  private updateComponent(name: string, s: SeriesSample): void {
    const st = this.componentState.get(name) ?? { name, up: false };
    if (s.series.name === 'process_up') st.up = s.v === 1;
    else if (s.series.name === 'process_cpu_ratio') {
      let mean = this.componentCpu.get(name);
      if (!mean) this.componentCpu.set(name, (mean = new RecentMean(1000)));
      mean.add(s.t, s.v);
      st.cpuRatio = mean.value;
    }
    else if (s.series.name === 'process_resident_memory_bytes') st.rssBytes = s.v;
    this.componentState.set(name, st);
  }

  private tickStatus(measure = true): void {
    if (measure) {
      const now = performance.now();
      const total = process.cpuUsage();
      const wall = now - this.lastCpuAt;
      if (wall > 0) {
        // Over the last minute, not the last second (see costWindow.ts).
        const cpuRatio = this.costWindow.add(total.user + total.system, now);
        this.cost = { cpuRatio: Number.isFinite(cpuRatio) ? cpuRatio : 0, rssBytes: process.memoryUsage().rss };
        this.samplesPerSecond = (this.samplesSinceStatus * 1000) / wall;
        this.checkBehind(wall);
      }
      this.lastCpuAt = now;
      this.samplesSinceStatus = 0;
      this.roundsSinceStatus = 0;
    }
    this.opts.onStatus?.(this.status());
  }

  /** Reports (or clears) a monitor that ran fewer collection rounds than its intervals ask for. */
  private checkBehind(wallMs: number): void {
    let due = 0;
    for (const ms of this.loopIntervals) due += wallMs / ms;
    const ratio = due > 0 ? this.roundsSinceStatus / due : 1;
    this.behindStatuses = due >= 5 && ratio < BEHIND_RATIO ? this.behindStatuses + 1 : 0;
    if (this.behindStatuses >= BEHIND_STATUSES) {
      this.problems.set('monitor', [{ collector: 'monitor', kind: 'busy', message: `Monitoring is behind: ${Math.round(ratio * 100)}% of the collection rounds due in the last ${(wallMs / 1000).toFixed(1)} s ran (this process is short of CPU). Samples are taken less often; none are queued. Fewer components, longer intervals (monitor.interval, metrics.interval) or a less busy machine help.` }]);
    } else this.problems.delete('monitor');
  }

  /** The pid the component's process collector is watching (collectors that find processes expose a locator). */
  private pidOf(component: string): number | undefined {
    const c = this.opts.collectors.find((x) => x.collector.id === `process:${component}`)?.collector as { locator?: { identity?: { pid: number } } } | undefined;
    return c?.locator?.identity?.pid;
  }

  activeAlerts(): AlertInfo[] {
    return this.alerts.active().map((a) => ({
      name: a.rule.name,
      severity: a.rule.severity,
      component: a.rule.component,
      series: a.series,
      value: a.value,
      threshold: a.rule.threshold,
      op: a.rule.op,
      since: a.since,
      firedAt: a.firedAt,
      description: a.rule.description,
    }));
  }

  status(): MonitorStatus {
    const alerts = this.activeAlerts();
    const allProblems = [...this.problems.values()].flat();
    const usage = this.opts.store.diskUsage();
    return {
      running: this.running,
      message: this.opts.store.memoryOnly ? 'The store is not writable: samples are kept in memory only.' : undefined,
      components: [...this.componentState.values()].map((c) => ({
        ...c,
        pid: c.up ? this.pidOf(c.name) : undefined,
        // All of them: a process that is gone and an endpoint that answers garbage are two things to fix.
        problem: allProblems.filter((p) => p.component === c.name).map((p) => p.message).join(' ') || undefined,
        alerts: alerts.filter((a) => a.component === c.name).length,
      })),
      alerts,
      cost: this.cost,
      store: {
        path: this.opts.storePath,
        readOnly: this.opts.store.readOnly,
        memoryOnly: this.opts.store.memoryOnly,
        diskBytes: usage.rawBytes + usage.rollupBytes + usage.walBytes,
        bytesPerSample: usage.bytesPerSample,
        problems: this.opts.store.problems.slice(-20).map((p) => p.message),
      },
      series: this.seriesSeen.size,
      samplesPerSecond: Math.round(this.samplesPerSecond),
      problems: [...allProblems.filter((p) => !p.component).map((p) => p.message), ...(this.persistProblem ? [this.persistProblem] : [])].slice(0, 20),
      findings: this.opts.anomalies?.findings().slice(0, 100) ?? [],
      scoredSeries: this.opts.anomalies?.seriesCount ?? 0,
      predictions: this.predictions,
    };
  }
}

/**
 * The first round's delay of each loop (its interval given): the loops of one interval start
 * spread evenly over it, in their order, and keep that phase (a loop's next round starts one
 * interval after its last one started). Started together, 50 endpoints scraped every 100 ms
 * answered together, and libuv runs every I/O callback ready in one poll phase back to back
 * (their parses, then their rounds' processing) before any timer: the load benchmark's stalls.
 *
 * With `baseMs` (the local rounds' interval), the loops of an interval that is a multiple of
 * it start on the base rounds' moments when there are no more of them than base moments in
 * their interval: each still on a moment of its own, spread as evenly as those moments allow
 * (4 scrape loops of 1 s on the 100 ms rounds: 0, 200, 500 and 700 ms), and each round shares
 * the wake-up of a local round (sharedTimer.ts) instead of one of its own. More loops than
 * that (the load benchmark's 50 endpoints every 100 ms) are spread over the interval as without it.
 */
export function spreadStarts(intervals: readonly number[], baseMs?: number): number[] {
  const count = new Map<number, number>();
  for (const ms of intervals) count.set(ms, (count.get(ms) ?? 0) + 1);
  const seen = new Map<number, number>();
  return intervals.map((ms) => {
    const k = seen.get(ms) ?? 0;
    seen.set(ms, k + 1);
    const n = count.get(ms)!;
    const moments = baseMs !== undefined && baseMs > 0 && ms % baseMs === 0 ? ms / baseMs : 0;
    if (n <= moments) return Math.floor((k * moments) / n) * baseMs!;
    return Math.floor((k * ms) / n);
  });
}

/**
 * When a loop's next round is planned, its last one planned at `planned` (ms) and done at
 * `now`: one interval later, at once when that has passed by at most an interval (as before:
 * one late round is run at once), else at the next moment of its phase (the rounds missed are
 * skipped, not queued: the status's "behind" counts them). Loops keep the phases `spreadStarts` gave them: restarting from the
 * moment a late round ran put every loop that waited behind a stall into the same moment.
 */
export function nextRoundAt(planned: number, now: number, intervalMs: number): number {
  const next = planned + intervalMs;
  const late = now - next;
  if (late <= intervalMs) return next;
  return next + Math.ceil((late - intervalMs) / intervalMs) * intervalMs;
}

/** Whether a collector's round failed without saying so again: it reports itself down, or gave no sample. */
function stillFailing(samples: readonly SeriesSample[]): boolean {
  if (samples.length === 0) return true;
  for (const x of samples) if (x.v === 0 && (x.series.name === 'up' || x.series.name === 'process_up')) return true;
  return false;
}
