// Capacity search for the bench's --capacity mode: the highest offered rate at which the
// system still meets its latency SLO (p95) and error bound, found by probing one rate at a
// time on the running system. Rates grow geometrically until a probe fails, then the
// interval between the highest pass and the lowest fail is bisected (geometric mean) down to
// the resolution. A throughput objective measured this way moves with the engine's real
// capacity instead of being capped by the load the feed happens to offer, and it carries
// its latency constraint inside it (an overloaded run's p95 is only queueing time).
// This file is the search alone; the bench supplies the probes (pure logic, unit tested).

export interface CapacityOptions {
  /** p95 latency bound of a passing probe, ms. */
  sloP95Ms: number;
  /** Error-rate bound of a passing probe (share of generated ticks). */
  maxErrorRate: number;
  /** First offered base rate, ticks/s (the feed's bursts keep their factor on top). */
  fromRate: number;
  /** Factor between rates while no probe has failed yet (and downwards while none passed). */
  growth: number;
  /** Stop when lowest fail / highest pass <= 1 + resolution. */
  resolution: number;
  /** At most this many probes. */
  maxProbes: number;
  /** Below this rate, stop going down (the system meets the SLO at no rate tried). */
  minRate: number;
  /**
   * Probe a failing rate once more (after draining) and count it failed only if it fails
   * again: on a shared machine one scheduling hiccup can push a 5 s probe's p95 over the
   * bound, and a single such probe would otherwise end the search low.
   */
  confirmFailures: boolean;
}

export interface ProbeResult {
  /** Offered base rate, ticks/s. */
  rate: number;
  offered_tps: number;
  throughput_tps: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  error_rate: number;
  completed: number;
  generated: number;
  errors: number;
  duration_s: number;
  /** CPU seconds of all components during the probe (they share the machine's cores). */
  cpu_s: number;
}

export interface JudgedProbe extends ProbeResult { pass: boolean; why?: string }

export interface ProbeRunner {
  /** Offers `rate` for one probe and measures it. */
  probe(rate: number): Promise<ProbeResult>;
  /** Stops the load and waits until the system is idle (after a failed probe). */
  drain(): Promise<void>;
}

export function judge(p: ProbeResult, o: Pick<CapacityOptions, 'sloP95Ms' | 'maxErrorRate'>): JudgedProbe {
  if (p.completed === 0 || p.p95_ms === null) return { ...p, pass: false, why: 'no tick completed' };
  if (p.p95_ms > o.sloP95Ms) return { ...p, pass: false, why: `p95 ${p.p95_ms} ms > ${o.sloP95Ms} ms` };
  if (p.error_rate > o.maxErrorRate) return { ...p, pass: false, why: `error rate ${p.error_rate} > ${o.maxErrorRate}` };
  return { ...p, pass: true };
}

export interface CapacityResult {
  /** The passing probe at the highest rate; undefined when none passed. */
  best?: JudgedProbe;
  /** The failing probe at the lowest rate; undefined when none failed (raise maxProbes). */
  firstFail?: JudgedProbe;
  probes: JudgedProbe[];
}

/** Rounded to whole ticks/s so that logs and repeated runs show the same rates. */
const round = (r: number) => Math.round(r);

export async function searchCapacity(run: ProbeRunner, o: CapacityOptions, log: (m: string) => void = () => {}): Promise<CapacityResult> {
  if (!(o.growth > 1) || !(o.resolution > 0) || !(o.fromRate > 0) || !(o.maxProbes >= 1)) throw new Error('capacity search: growth > 1, resolution > 0, fromRate > 0 and maxProbes >= 1 are required');
  const probes: JudgedProbe[] = [];
  let best: JudgedProbe | undefined;
  let firstFail: JudgedProbe | undefined;
  let rate = round(o.fromRate);
  let idle = true;
  while (probes.length < o.maxProbes) {
    // After a failure the backlog would count against the next (lower) rate: drain first.
    if (!idle) await run.drain();
    let p = judge(await run.probe(rate), o);
    probes.push(p);
    log(`probe ${probes.length}: ${p.rate}/s offered ${p.offered_tps}/s -> ${p.throughput_tps}/s, p95 ${p.p95_ms} ms, errors ${p.error_rate}: ${p.pass ? 'pass' : `fail (${p.why})`}`);
    if (!p.pass && o.confirmFailures && probes.length < o.maxProbes) {
      await run.drain();
      p = judge(await run.probe(rate), o);
      probes.push(p);
      log(`probe ${probes.length} (again): ${p.rate}/s offered ${p.offered_tps}/s -> ${p.throughput_tps}/s, p95 ${p.p95_ms} ms, errors ${p.error_rate}: ${p.pass ? 'pass' : `fail (${p.why})`}`);
    }
    if (p.pass) { if (!best || p.rate > best.rate) best = p; } else if (!firstFail || p.rate < firstFail.rate) firstFail = p;
    idle = p.pass;
    let next: number;
    if (!firstFail) next = rate * o.growth;
    else if (!best) { next = rate / o.growth; if (next < o.minRate) break; }
    else {
      if (firstFail.rate <= best.rate * (1 + o.resolution)) break;
      next = Math.sqrt(best.rate * firstFail.rate);
    }
    rate = round(next);
    // Rounding can land on a rate already probed when the interval is a few ticks wide.
    if (probes.some((q) => q.rate === rate)) break;
  }
  return { best, firstFail, probes };
}
