/**
 * The plain `alluse-perf monitor` command lines that cli/main.ts runs without loading the
 * whole command line (commander and every command's code, about 10 MiB of heap that the
 * monitor's process would carry for its whole life: docs/performance.md, "Monitoring").
 *
 * Only what commander would read the same way is taken: `monitor` first, then `--workspace`,
 * `--duration` (each as `--opt value` or `--opt=value`, once) and `--json`. Anything else
 * (help, an unknown or repeated option, a value that looks like an option, an argument)
 * returns undefined, and commander handles it, so its help, errors and exit codes stay the
 * only ones.
 */
import type { MonitorCommandOptions } from './monitorCommand';

export function plainMonitorArgs(args: readonly string[]): MonitorCommandOptions | undefined {
  if (args[0] !== 'monitor') return undefined;
  const values: { workspace?: string; duration?: string } = {};
  let json = false;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') {
      if (json) return undefined;
      json = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (name !== '--workspace' && name !== '--duration') return undefined;
    const key = name === '--workspace' ? 'workspace' : 'duration';
    if (values[key] !== undefined) return undefined;
    let value: string | undefined;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      value = args[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
    }
    values[key] = value;
  }
  return { workspace: values.workspace ?? '.', ...(values.duration !== undefined ? { duration: values.duration } : {}), json };
}
