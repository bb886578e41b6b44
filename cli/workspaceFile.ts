/** Reads the workspace file of a folder for the commands that run on it (monitor, capacity). */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeWorkspace } from '../engine/index';
import { workspaceConfigFrom, type WorkspaceConfig } from '../engine/workspace/config';
import { formatFinding } from './validateCommand';

/**
 * The typed config of `<dir>/alluse-perf.yaml`, or the exit code after saying what is wrong:
 * 2 when there is no such file, 1 when it has errors (each printed like `validate` does).
 */
export function loadWorkspaceConfig(dirArg: string, err: (s: string) => void): { dir: string; config: WorkspaceConfig } | number {
  const dir = resolve(dirArg);
  const file = join(dir, 'alluse-perf.yaml');
  if (!existsSync(file)) {
    err(`alluse-perf: no alluse-perf.yaml in ${dir}. Give the folder with --workspace DIR.`);
    return 2;
  }
  const analysis = analyzeWorkspace(readFileSync(file, 'utf8'), { fileExists: (p) => existsSync(resolve(dir, p)) });
  const errors = analysis.findings.filter((f) => f.severity === 'error');
  if (errors.length || !analysis.doc) {
    for (const f of errors) err(formatFinding(file, f));
    err('alluse-perf: fix the errors in alluse-perf.yaml first (alluse-perf validate).');
    return 1;
  }
  return { dir, config: workspaceConfigFrom(analysis.doc) };
}
