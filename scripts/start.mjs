#!/usr/bin/env node
// `npm start`: builds and packages the extension, then serves a real VS Code (code-server
// 4.99.4 / VS Code 1.99.3) with it installed and the demo workspace open, at
//   http://127.0.0.1:PORT/?folder=<demo workspace>
// PORT is $ALLUSE_PERF_PORT, else 8080, else the next free port. Stays in the foreground
// until Ctrl-C, which stops code-server's whole process group.
//
// The run dir .vscode-test/start/ is persistent, so user settings and UI state survive
// restarts (the clean-window settings of scripts/lib/code-server.mjs are re-applied).
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, REPO_ROOT, ensureCodeServer, portFrom, startCodeServer } from './lib/code-server.mjs';

const HOST = '127.0.0.1';

function pickWorkspace() {
  const allUse = join(REPO_ROOT, 'examples/all-use');
  if (existsSync(join(allUse, 'alluse-perf.yaml'))) return allUse;
  const basic = join(REPO_ROOT, 'examples/basic');
  if (existsSync(basic)) return basic;
  throw new Error('No demo workspace: neither examples/all-use/alluse-perf.yaml nor examples/basic exists.');
}

async function main() {
  console.log('Packaging the extension (node scripts/package-vsix.mjs)...');
  const pkg = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/package-vsix.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (pkg.status !== 0) throw new Error(`scripts/package-vsix.mjs failed (exit ${pkg.status ?? pkg.signal})`);
  const vsix = join(REPO_ROOT, 'out/alluse-performance.vsix');
  if (!existsSync(vsix)) throw new Error(`${vsix} was not produced by scripts/package-vsix.mjs`);

  await ensureCodeServer();
  const folder = pickWorkspace();

  const envPort = process.env.ALLUSE_PERF_PORT;
  const preferred = envPort ? Number(envPort) : 8080;
  if (!Number.isInteger(preferred) || preferred <= 0 || preferred > 65535) throw new Error(`ALLUSE_PERF_PORT="${envPort}" is not a port number`);
  const port = await portFrom(preferred, HOST);
  if (port !== preferred) console.log(`Port ${preferred} is in use; using ${port}.`);

  const demo = await startDemoSystem(folder);

  // The fresh VSIX is installed (--force, over any earlier one) before the server starts.
  const cs = await startCodeServer({ folder, port, host: HOST, runDir: join(CACHE_DIR, 'start'), vsix });
  let stopping = false;
  const shutdown = async (why) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping code-server${demo ? ' and the demo system' : ''}...`);
    await Promise.all([cs.stop(), demo?.stop()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  cs.exited.then((e) => {
    if (stopping) return;
    console.error(`code-server exited unexpectedly (${JSON.stringify(e)}). Last output:\n${cs.output().slice(-3000)}`);
    process.exit(1);
  });

  console.log(`\nALL-USE Performance is running in VS Code (code-server) with the workspace ${folder}`);
  console.log(`\n  ${cs.folderUrl(folder)}\n`);
  console.log(`Run dir (settings, logs, extensions): ${cs.runDir}`);
  console.log('Press Ctrl-C to stop.');
}

/** Whether something already listens on a loopback port (a demo system started by hand, say). */
function portBusy(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/**
 * Starts the demo ALL-USE system (examples/all-use) beside the editor, so monitoring shows
 * live data right away. Skipped with ALLUSE_PERF_NO_DEMO=1, for another workspace, or when
 * its ports are taken (a demo system already running is monitored as it is).
 */
async function startDemoSystem(folder) {
  if (process.env.ALLUSE_PERF_NO_DEMO === '1' || !folder.endsWith(join('examples', 'all-use'))) return undefined;
  const busy = await Promise.all([9461, 9462, 9463, 9464].map(portBusy));
  if (busy.some(Boolean)) {
    console.log('The demo system ports (9461-9464) are in use: not starting another demo system.');
    return undefined;
  }
  console.log('Starting the demo ALL-USE system (examples/all-use/dist/system.js)...');
  const child = spawn(process.execPath, ['--enable-source-maps', join(folder, 'dist/system.js')], { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

main().catch((e) => {
  console.error(`npm start failed: ${e.message}`);
  process.exit(1);
});
