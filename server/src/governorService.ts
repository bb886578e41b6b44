/**
 * The governor in the server: records applied configuration changes in the workspace's audit
 * history, watches each applied change on the running monitor's store every few seconds
 * (`governorDecide`), and on a regression notifies the client and, when `governor.autoRollback`
 * allows it, rolls the change back itself. Undo (a rollback or a revert from the history)
 * writes the previous values back with in-place edits and records that as a new entry.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AuditLog, type AuditActor, type AuditEntry } from '../../engine/coordinate/audit';
import { configEdits, undoEdits } from '../../engine/coordinate/configChange';
import { governorDecide, watchedSeries, type GovernorMemory } from '../../engine/coordinate/governor';
import type { MetricStore } from '../../engine/monitor/storeApi';
import type { AlertInfo } from '../../engine/monitor/types';
import type { TextEdit } from '../../engine/text/positions';
import type { WorkspaceConfig } from '../../engine/workspace/config';
import type { AuditListRequest, AuditRecordRequest, AuditRevertRequest, GovernorRegressionNotification } from '../../protocol/index';

export interface GovernorHooks {
  /** The typed config of a workspace file, when it analyses without errors. */
  config(uri: string): WorkspaceConfig | undefined;
  /** The running monitor's store and its firing alerts, when monitoring runs. */
  running(uri: string): { store: MetricStore; alerts: readonly AlertInfo[] } | undefined;
  /**
   * Applies edits to a file in the editor (`workspace/applyEdit`), so they can be undone there.
   * 'unsupported' when the client cannot: the service then writes the file itself.
   */
  applyEdit(fileUri: string, edits: TextEdit[], label: string): Promise<'applied' | 'refused' | 'unsupported'>;
  regression(p: GovernorRegressionNotification.Params): void;
  changed(uri: string): void;
  log(message: string): void;
}

/** How often watched changes are evaluated. */
const TICK_MS = 2000;
/** While nothing changes, the measured effect is written to the history at most this often. */
const EFFECT_WRITE_MS = 30_000;

export class GovernorService {
  private readonly tracked = new Set<string>();
  private readonly logs = new Map<string, AuditLog>();
  /** The last known text of each component configuration file (absolute path): the "before" of the next save. */
  private readonly known = new Map<string, string>();
  private readonly memory = new Map<string, { memory: GovernorMemory; state: string; written: number }>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly hooks: GovernorHooks, private readonly tickMs = TICK_MS) {}

  /** Starts following a workspace file: its config files' texts are read now (the "before" of later saves). */
  track(uri: string): void {
    if (!uri.startsWith('file:')) return;
    this.tracked.add(uri);
    this.rememberConfigFiles(uri);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.tickMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private folder(uri: string): string {
    return dirname(fileURLToPath(uri));
  }

  private logFor(uri: string): AuditLog {
    const folder = this.folder(uri);
    let log = this.logs.get(folder);
    if (!log) this.logs.set(folder, (log = new AuditLog(folder)));
    return log;
  }

  private rememberConfigFiles(uri: string): void {
    const config = this.hooks.config(uri);
    for (const c of config?.components ?? []) {
      for (const f of c.configFiles) {
        const path = resolve(this.folder(uri), f);
        if (!this.known.has(path) && existsSync(path)) {
          try {
            this.known.set(path, readFileSync(path, 'utf8'));
          } catch {
            /* unreadable now: its first save is not recorded */
          }
        }
      }
    }
  }

  private componentOf(uri: string, path: string): string | undefined {
    const folder = this.folder(uri);
    return this.hooks.config(uri)?.components.find((c) => c.configFiles.some((f) => resolve(folder, f) === path))?.name;
  }

  list(p: AuditListRequest.Params): AuditListRequest.Result {
    if (!p.uri.startsWith('file:')) return { entries: [], problems: [], path: '' };
    this.track(p.uri);
    const log = this.logFor(p.uri);
    const { entries, problems } = log.read();
    return { entries: entries.reverse(), problems, path: log.path };
  }

  record(p: AuditRecordRequest.Params): AuditRecordRequest.Result {
    if (!p.uri.startsWith('file:') || !p.file.startsWith('file:')) return { message: 'Only files on the local disk are recorded in the history.' };
    this.track(p.uri);
    const path = fileURLToPath(p.file);
    const edits = configEdits(p.beforeText, p.afterText);
    if (!edits) return { message: `${path} does not parse as YAML or JSON before or after the change; it was not recorded.` };
    this.known.set(path, p.afterText);
    if (!edits.length) return { message: 'The change changed no value; nothing was recorded.' };
    const entry = this.append(p.uri, { actor: p.actor, source: p.source, path, edits, beforeText: p.beforeText, afterText: p.afterText });
    return { entry, message: `Recorded in ${this.logFor(p.uri).path}.` };
  }

  /** A saved file: a component configuration file whose values changed since the last known text is the user's change. */
  fileSaved(uri: string, file: string, text: string): AuditEntry | undefined {
    if (!uri.startsWith('file:') || !file.startsWith('file:')) return undefined;
    this.track(uri);
    const path = fileURLToPath(file);
    if (!this.componentOf(uri, path)) return undefined;
    const before = this.known.get(path);
    this.known.set(path, text);
    if (before === undefined || before === text) return undefined;
    const edits = configEdits(before, text);
    if (!edits?.length) return undefined;
    return this.append(uri, { actor: 'user', source: 'saved in the editor', path, edits, beforeText: before, afterText: text });
  }

  private append(uri: string, a: { actor: AuditActor; source?: string; path: string; edits: AuditEntry['edits']; beforeText: string; afterText: string; rollbackOf?: string }): AuditEntry {
    const component = this.componentOf(uri, a.path);
    const config = this.hooks.config(uri);
    const c = config?.components.find((x) => x.name === component);
    const now = new Date().toISOString();
    const watch: AuditEntry['watch'] = a.rollbackOf
      ? { state: 'not-watched', reason: 'An undo is not watched (it restores values that were in effect before).', at: now }
      : !c
        ? { state: 'not-watched', reason: 'The file is not a configFile of any component in alluse-perf.yaml.', at: now }
        : !watchedSeries(c).length
          ? { state: 'not-watched', reason: `${c.name} declares no metrics to watch.`, at: now }
          : { state: 'watching', reason: this.hooks.running(uri) ? `Watching for ${Math.round(config!.governor.watchMs / 60_000)} min.` : 'Waiting for monitoring to run.', at: now };
    const rel = relative(this.folder(uri), a.path).split(sep).join('/');
    const entry = this.logFor(uri).append({ actor: a.actor, source: a.source, component, file: rel, edits: a.edits, beforeText: a.beforeText, afterText: a.afterText, watch, ...(a.rollbackOf ? { rollbackOf: a.rollbackOf } : {}) });
    this.hooks.changed(uri);
    return entry;
  }

  /** Undoes an entry: its keys back to their previous values, recorded as a new entry. */
  async revert(p: AuditRevertRequest.Params, actor: AuditActor = 'user'): Promise<AuditRevertRequest.Result> {
    if (!p.uri.startsWith('file:')) return { ok: false, message: 'Only workspaces on the local disk have a history.' };
    const log = this.logFor(p.uri);
    const e = log.get(p.id);
    if (!e) return { ok: false, message: `No change ${p.id} in ${log.path}.` };
    if (e.status !== 'applied') return { ok: false, message: `That change was already ${e.status === 'rolled-back' ? 'rolled back' : 'reverted'}${e.rolledBackBy ? ` (${e.rolledBackBy})` : ''}.` };
    const path = resolve(this.folder(p.uri), e.file);
    const fileUri = pathToFileURL(path).toString();
    if (!existsSync(path)) return { ok: false, message: `${e.file} no longer exists; nothing to undo.` };
    const current = readFileSync(path, 'utf8');
    const plan = undoEdits(current, e.edits);
    if (!plan.edits.length) return { ok: false, message: `Nothing in ${e.file} can be set back: ${plan.skipped.join('; ')}.`, fileUri };
    const label = `${p.kind === 'rollback' ? 'Roll back' : 'Revert'} ${e.file}: ${plan.restored.map((r) => `${r.keyPath} ${String(r.before)} → ${String(r.after)}`).join(', ')}`;
    const how = await this.hooks.applyEdit(fileUri, plan.edits, label);
    if (how === 'refused') return { ok: false, message: `The editor did not apply the edits to ${e.file} (was it changed meanwhile?).`, fileUri };
    if (how === 'unsupported') {
      const tmp = `${path}.alluse-undo.tmp`;
      writeFileSync(tmp, plan.text);
      renameSync(tmp, path);
    }
    this.known.set(path, plan.text);
    const undo = this.append(p.uri, { actor, source: `${p.kind === 'rollback' ? 'rollback' : 'revert'} of ${e.id}`, path, edits: plan.restored, beforeText: current, afterText: plan.text, rollbackOf: e.id });
    const watch = e.watch?.state === 'watching' ? { watch: { state: 'not-watched' as const, reason: `Undone by ${undo.id} while watched.`, at: new Date().toISOString() } } : {};
    log.update(e.id, { status: p.kind === 'rollback' ? 'rolled-back' : 'reverted', rolledBackBy: undo.id, ...watch });
    this.memory.delete(e.id);
    this.hooks.changed(p.uri);
    const skipped = plan.skipped.length ? ` Not set back: ${plan.skipped.join('; ')}.` : '';
    return { ok: true, message: `${label}.${skipped}`, entry: undo, fileUri };
  }

  /** One round: every watched change of every workspace with a running monitor. */
  async tick(now = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const uri of this.tracked) {
        try {
          await this.evaluate(uri, now);
        } catch (e) {
          this.hooks.log(`The governor failed on ${uri}: ${(e as Error).stack ?? String(e)}`);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async evaluate(uri: string, now: number): Promise<void> {
    const running = this.hooks.running(uri);
    const config = this.hooks.config(uri);
    if (!running || !config) return;
    this.rememberConfigFiles(uri);
    const log = this.logFor(uri);
    for (const e of log.list({ watching: true })) {
      const c = config.components.find((x) => x.name === e.component);
      const kept = this.memory.get(e.id);
      const d = governorDecide({
        change: { time: Date.parse(e.time), component: e.component },
        series: c ? watchedSeries(c) : [],
        store: running.store,
        now,
        alerts: running.alerts,
        options: config.governor,
        memory: kept?.memory,
      });
      const changed = d.state !== (kept?.state ?? 'watching');
      if (d.state === 'watching') {
        const written = kept?.written ?? 0;
        this.memory.set(e.id, { memory: d.memory, state: d.state, written: d.effects.length && now - written >= EFFECT_WRITE_MS ? now : written });
        if (d.effects.length && now - written >= EFFECT_WRITE_MS) {
          log.update(e.id, { effects: d.effects, measuredAt: new Date(now).toISOString(), watch: { state: 'watching', reason: d.reason, at: new Date(now).toISOString() } });
          this.hooks.changed(uri);
        }
        continue;
      }
      this.memory.delete(e.id);
      const updated = log.update(e.id, { ...(d.effects.length ? { effects: d.effects, measuredAt: new Date(now).toISOString() } : {}), watch: { state: d.state, reason: d.reason, at: new Date(now).toISOString() } });
      this.hooks.changed(uri);
      if (d.state !== 'regressed' || !changed) continue;
      const fileUri = pathToFileURL(resolve(this.folder(uri), e.file)).toString();
      if (config.governor.autoRollback) {
        const r = await this.revert({ uri, id: e.id, kind: 'rollback' }, 'governor');
        this.hooks.regression({ uri, entry: log.get(e.id) ?? updated, reason: d.reason, fileUri, ...(r.ok ? { rollback: r.entry } : {}), ...(r.ok && !/Not set back/.test(r.message) ? {} : { rollbackMessage: r.message }) });
      } else this.hooks.regression({ uri, entry: updated, reason: d.reason, fileUri });
    }
  }
}
