/**
 * The monitor's own CPU over the last minute, from cumulative readings (`process.cpuUsage()`,
 * the whole process) taken at each status. A status used to report the last second alone, and
 * most seconds have none of the monitor's periodic work in them (the store's cut every 5
 * minutes, the baselines' save, the predictions every 5 s): its figure ran 0.2-0.3% of a core
 * below what `top` or /proc showed for the same minutes (docs/performance.md, "Monitoring").
 * Over a minute, the work every 5 s is in every figure, and a cut moves it for a minute
 * instead of hiding between the readings.
 */
export const COST_WINDOW_MS = 60_000;

export class CostWindow {
  /** Readings (CPU µs, wall ms) oldest first, the oldest at most `windowMs` before the newest (plus one just older). */
  private readonly cpu: number[] = [];
  private readonly wall: number[] = [];

  constructor(private readonly windowMs = COST_WINDOW_MS) {}

  /** Starts over from one reading (monitoring starts). */
  reset(cpuMicros: number, wallMs: number): void {
    this.cpu.length = 0;
    this.wall.length = 0;
    this.add(cpuMicros, wallMs);
  }

  /** Adds a reading; returns the CPU share of one core from the oldest reading kept to this one (NaN before two readings). */
  add(cpuMicros: number, wallMs: number): number {
    this.cpu.push(cpuMicros);
    this.wall.push(wallMs);
    // Keep the newest reading at least `windowMs` old, so the figure spans the whole window once it can.
    while (this.wall.length > 2 && wallMs - this.wall[1] >= this.windowMs) {
      this.cpu.shift();
      this.wall.shift();
    }
    const dt = wallMs - this.wall[0];
    return dt > 0 ? (cpuMicros - this.cpu[0]) / 1000 / dt : NaN;
  }
}
