/**
 * Sends something at most once per `ms` per key, with the latest state: the first change is
 * sent at once, changes within the next `ms` are folded into one send at its end.
 *
 * Why: under load the monitor's alerts and anomaly episodes change on many collection rounds
 * a second (50 components scraped every 100 ms are 500 rounds a second), and each change
 * sent the file's diagnostics and a full status to the editor. That flood outran what the
 * editor could read; the server's output queue grew, and an editor request waited behind it
 * for a minute (bench/load.bench.ts).
 */
export class Coalescer {
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly ms: number,
    private readonly send: (key: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something changed for `key`. */
  changed(key: string): void {
    if (this.pending.has(key)) return; // folded into the send already scheduled
    const wait = (this.lastSent.get(key) ?? -Infinity) + this.ms - this.now();
    if (wait <= 0) {
      this.flush(key);
      return;
    }
    this.pending.set(key, setTimeout(() => this.flush(key), wait));
  }

  private flush(key: string): void {
    this.pending.delete(key);
    this.lastSent.set(key, this.now());
    this.send(key);
  }

  /** Stops the scheduled sends (at shutdown). */
  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
