// The getting-started walkthrough in package.json: every step has its media file, completes
// on a command that exists (the extension's own, or a workbench command), and every button
// in a step names such a command.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; walkthroughs: { id: string; steps: { id: string; title: string; description: string; media: { markdown?: string; image?: string }; completionEvents: string[] }[] }[] };
  files?: string[];
};
const OURS = new Set(pkg.contributes.commands.map((c) => c.command));
/** Workbench commands the steps may use (they exist in every VS Code). */
const BUILT_IN = new Set(['workbench.action.files.openFolder', 'workbench.action.terminal.new']);

describe('walkthrough', () => {
  const w = pkg.contributes.walkthroughs.find((x) => x.id === 'alluse-perf.gettingStarted');

  it('takes a new user from the demo workspace to an applied, measured fix', () => {
    assert.ok(w);
    assert.deepEqual(w.steps.map((s) => s.id), ['openDemo', 'startSystem', 'startMonitoring', 'openDashboard', 'runStudy', 'applyFix', 'exportReport']);
  });

  it('has its media, and completes each step on a real command', () => {
    for (const s of w!.steps) {
      const media = s.media.markdown ?? s.media.image;
      assert.ok(media && existsSync(join(ROOT, media)), `${s.id}: media ${media}`);
      assert.ok(s.completionEvents.length, `${s.id}: no completion event`);
      for (const e of s.completionEvents) {
        const m = /^onCommand:(.+)$/.exec(e);
        assert.ok(m, `${s.id}: ${e} is not an onCommand event`);
        assert.ok(OURS.has(m[1]) || BUILT_IN.has(m[1]), `${s.id}: ${m[1]} is not a contributed command`);
      }
    }
  });

  it('has buttons that run commands that exist, with valid JSON arguments', () => {
    for (const s of w!.steps) {
      const links = [...s.description.matchAll(/\]\(command:([\w.-]+)(?:\?([^)]*))?\)/g)];
      assert.ok(links.length, `${s.id}: no button`);
      for (const [, cmd, args] of links) {
        assert.ok(OURS.has(cmd) || BUILT_IN.has(cmd), `${s.id}: ${cmd}`);
        if (args) assert.ok(Array.isArray(JSON.parse(decodeURIComponent(args))), `${s.id}: ${cmd} arguments`);
      }
    }
  });

  it('is packaged: media/ is not excluded from the VSIX', () => {
    assert.match(readFileSync(join(ROOT, '.vscodeignore'), 'utf8'), /^!media\/\*\*$/m);
  });
});
