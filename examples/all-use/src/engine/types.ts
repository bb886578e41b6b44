// Messages between the protocol engine's main thread and its pricing workers.

export interface Tick { seq: number; symbol: string; price: number; vol: number; ts: number }

/** One option position that a rule asks to price. */
export interface OptionLeg { strike: number; years: number; call: boolean; qty: number; account: number; rule: number }

export interface Job { tick: Tick; legs: OptionLeg[] }

export interface BatchRequest { type: 'batch'; id: number; jobs: Job[]; predictions: Record<string, number>; rate: number }

/** Per-account aggregate for one tick, sent on to the account service. */
export interface PositionUpdate { account: number; symbol: string; value: number; delta: number; gamma: number; vega: number; theta: number; seq: number }

export interface JobResult { seq: number; updates: PositionUpdate[]; options: number }

export type WorkerReply =
  | { type: 'result'; id: number; results: JobResult[] }
  | { type: 'error'; id: number; message: string };

export type WorkerControl = { type: 'stop' } | { type: 'stuck' };
