/**
 * Notifies time-to-limit predictions that come within `alluse-perf.limits.notifyWithinMinutes`
 * (60 by default; 0 turns it off), once per limit (limitNotificationPolicy.ts), with "Show"
 * revealing the prediction in the Findings view.
 */
import * as vscode from 'vscode';
import type { MonitorStatus } from '../../protocol/index';
import { LimitNotificationPolicy, type Prediction } from './limitNotificationPolicy';

export class LimitNotifier {
  private readonly policy = new LimitNotificationPolicy();
  /** Messages shown so far (read by tests through the extension API). */
  readonly shown: string[] = [];

  constructor(private readonly reveal: (p: Prediction) => void) {}

  update(status: MonitorStatus): void {
    const minutes = vscode.workspace.getConfiguration('alluse-perf').get<number>('limits.notifyWithinMinutes', 60);
    const fresh = this.policy.update(status.predictions ?? [], minutes * 60_000, Date.now());
    if (!fresh.length) return;
    const text =
      fresh.length === 1
        ? `ALL-USE: ${fresh[0].component ? `${fresh[0].component} ` : ''}${fresh[0].message}.`
        : `ALL-USE: ${fresh.length} limits are near: ${fresh.map((p) => `${p.component || 'store'} ${p.resource}`).join(', ')}. The first: ${fresh[0].message}.`;
    this.shown.push(text);
    void vscode.window.showWarningMessage(text, 'Show').then((pick) => {
      if (pick === 'Show') this.reveal(fresh[0]);
    });
  }
}
