#!/usr/bin/env node
// Builds dist/ and packs the extension into out/alluse-performance.vsix with @vscode/vsce.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
mkdirSync(join(root, 'out'), { recursive: true });
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
// The bundles carry their dependencies, so node_modules is not packed (--no-dependencies).
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '-o', join(root, 'out/alluse-performance.vsix')], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
