/**
 * A minimal seeded random sampler for the study runner's tests, which must not depend on the
 * real algorithms. It follows the Sampler contract: point i is a function of (seed, i) only,
 * where i counts the finished and pending trials, so a resumed study proposes the same points.
 * It records every call, so tests can check what the runner told it.
 */
import { Rng } from '../../engine/util/rng';
import type { Observation, Params, Sampler, SearchSpace } from '../../engine/tune/types';

export interface RecordingSampler extends Sampler {
  calls: { history: Observation[]; pending: Params[]; n: number }[];
}

export function randomSampler(space: SearchSpace, seed: number): RecordingSampler {
  const calls: RecordingSampler['calls'] = [];
  return {
    name: 'test-random',
    calls,
    ask(history, pending, n) {
      calls.push({ history: history.map((h) => ({ ...h })), pending: [...pending], n });
      return Array.from({ length: n }, (_, k) => {
        const rng = new Rng((seed * 7919 + (history.length + pending.length + k) * 104_729) >>> 0);
        const p: Params = {};
        for (const [name, s] of Object.entries(space)) {
          if (s.type === 'categorical') p[name] = s.choices[rng.int(s.choices.length)];
          else if (s.type === 'int') p[name] = s.low + rng.int(s.high - s.low + 1);
          else p[name] = s.low + rng.next() * (s.high - s.low);
        }
        return p;
      });
    },
    explain: () => 'test sampler',
  };
}
