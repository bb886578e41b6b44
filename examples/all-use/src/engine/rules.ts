// Trading-protocol rules: for each tick they decide which option positions must be
// repriced. The rule set is the workload definition (how many legs a tick touches),
// deterministic in the tick's sequence number so that runs are repeatable.
import { hash01, Zipf } from '../shared/rng.js';
import type { Job, OptionLeg, Tick } from './types.js';

export interface RuleConfig { accounts: number; accounts_per_tick: number; strikes: number; expiries_days: number[]; tail_strikes: number }

export class Rules {
  private readonly zipf: Zipf;
  constructor(private readonly cfg: RuleConfig) { this.zipf = new Zipf(cfg.accounts, 1.1); }

  evaluate(tick: Tick): Job {
    const legs: OptionLeg[] = [];
    const { strikes, expiries_days, tail_strikes, accounts_per_tick } = this.cfg;
    for (let a = 0; a < accounts_per_tick; a++) {
      const account = this.zipf.sample(hash01(tick.seq, a + 1));
      // Rule 0 (delta hedge): near-the-money chain around spot, every expiry, calls and puts.
      for (const days of expiries_days) {
        for (let k = 0; k < strikes; k++) {
          const strike = tick.price * (1 + (k - (strikes - 1) / 2) * 0.025);
          legs.push({ strike, years: days / 365, call: true, qty: 1 + (account % 5), account, rule: 0 });
          legs.push({ strike, years: days / 365, call: false, qty: -1 - (account % 3), account, rule: 0 });
        }
      }
      // Rule 1 (tail risk): deep out-of-the-money puts on the longest expiry, with implied-vol checks.
      const longest = expiries_days[expiries_days.length - 1] ?? 90;
      for (let k = 0; k < tail_strikes; k++) {
        legs.push({ strike: tick.price * (0.7 - 0.03 * k), years: longest / 365, call: false, qty: 2, account, rule: 1 });
      }
    }
    return { tick, legs };
  }
}
