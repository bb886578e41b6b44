/**
 * When a crashed analysis server is started again: at most `max` restarts within `windowMs`;
 * one more crash in that window means something is broken that a restart will not mend, so
 * the server stays stopped and the user is asked to look at the output and restart it by hand.
 * Pure (no `vscode`), so its counting is unit-tested.
 */
export interface RestartDecision {
  restart: boolean;
  /** Restarts within the window, this one included (when it restarts). */
  count: number;
  message: string;
}

export const RESTART_COMMAND_TITLE = 'Restart Analysis Server';
export const SHOW_OUTPUT_TITLE = 'Show Output';

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    readonly max = 5,
    readonly windowMs = 3 * 60_000,
  ) {}

  /** Called when the server's connection closed without being asked to stop. */
  onCrash(now: number): RestartDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    const minutes = Math.round(this.windowMs / 60_000);
    if (this.crashes.length > this.max) {
      return {
        restart: false,
        count: this.crashes.length,
        message: `The ALL-USE Performance analysis server stopped ${this.crashes.length} times in ${minutes} minute${minutes === 1 ? '' : 's'} and was not restarted again: validation and monitoring are off. Look at its output ("${SHOW_OUTPUT_TITLE}") for the cause, then click "${RESTART_COMMAND_TITLE}".`,
      };
    }
    return {
      restart: true,
      count: this.crashes.length,
      message: `The ALL-USE Performance analysis server stopped unexpectedly and was restarted (${this.crashes.length} of ${this.max} restarts allowed in ${minutes} minute${minutes === 1 ? '' : 's'}); monitoring resumes from its store.`,
    };
  }

  /** A restart by hand starts counting afresh. */
  reset(): void {
    this.crashes = [];
  }
}
