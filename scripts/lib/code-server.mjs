// Real VS Code host for tests and `npm start`: code-server 4.99.4 (VS Code 1.99.3).
//
// `@vscode/test-electron` / `@vscode/test-web` download VS Code at test time, which this
// machine kind cannot do. code-server comes from the npm registry instead; this module
// installs it into `<repo>/.vscode-test/code-server-4.99.4/`, starts isolated instances of
// it and launches Debian's chromium through playwright-core to drive the workbench.
// The recipe it follows is /work/shared/notes/vscode-host.md (mirrored in docs/testing.md).
//
// Exports:
//   ensureCodeServer()                 -> Promise<string>  (path of code-server's entry.js)
//   startCodeServer({ folder, settings, trust, port, host, runDir, log })
//                                      -> Promise<{ url, port, host, runDir, entry, folderUrl(), installVsix(path), stop() }>
//   launchBrowser()                    -> Promise<import('playwright-core').Browser>
//   freePort(host)                     -> Promise<number>
//   waitFor(fn, { timeout, interval, what }) -> Promise<truthy value of fn()>

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync, symlinkSync, lstatSync, unlinkSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export const CODE_SERVER_VERSION = '4.99.4';
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CACHE_DIR = join(REPO_ROOT, '.vscode-test');
export const INSTALL_DIR = join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
export const ENTRY = join(INSTALL_DIR, 'node_modules/code-server/out/node/entry.js');
const MARKER = join(INSTALL_DIR, '.install-complete');

export const CHROMIUM = '/usr/bin/chromium';
export const RIPGREP = '/usr/bin/rg';
export const APT_COMMAND =
  'sudo apt-get install -y chromium ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config';

/** User settings that give a clean window: no trust modal, no walkthrough, no chat icon, no network chatter. */
export const CLEAN_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
});

/** Throws with the exact apt command when the system tools the host needs are absent. */
export function checkSystemPackages() {
  const missing = [CHROMIUM, RIPGREP].filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`Missing ${missing.join(' and ')}. Install the system packages with:\n  ${APT_COMMAND}`);
  }
}

/** Runs a command, streaming its output to stderr (so progress shows but stdout stays clean for TAP). */
function sh(cmd, args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d) => { tail = (tail + d).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} failed with exit code ${code}:\n${tail}`));
    });
  });
}

const progress = (msg) => process.stderr.write(`[code-server] ${msg}\n`);

/** Replaces whatever is at `path` (file, symlink, broken link) with a symlink to `target`. */
function forceSymlink(target, path) {
  try { lstatSync(path); unlinkSync(path); } catch { /* nothing there */ }
  symlinkSync(target, path);
}

/**
 * Installs code-server 4.99.4 into .vscode-test/code-server-4.99.4/ (once; about 40 s with a
 * warm npm cache, a few minutes cold). Idempotent: the marker file is written only after
 * every step succeeded, and an install without it is wiped and redone from scratch.
 * @returns {Promise<string>} the entry point (node_modules/code-server/out/node/entry.js)
 */
export async function ensureCodeServer() {
  checkSystemPackages();
  if (existsSync(MARKER) && existsSync(ENTRY)) return ENTRY;
  // Several test runs or `npm start` may start at once on a fresh machine: one installs,
  // the others wait for it.
  const release = await acquireInstallLock();
  try {
    if (existsSync(MARKER) && existsSync(ENTRY)) return ENTRY;
    return await install();
  } finally {
    release();
  }
}

const LOCK_DIR = `${INSTALL_DIR}.lock`;

/** mkdir is atomic: the lock is a directory holding the owner's pid; a dead owner's lock is taken over. */
async function acquireInstallLock() {
  let told = false;
  let fatal;
  await waitFor(() => {
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if (e.code !== 'EEXIST') { fatal = e; return true; }
      let owner = NaN;
      try { owner = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8')); } catch { /* being written */ }
      let alive = false;
      if (owner) { try { process.kill(owner, 0); alive = true; } catch { /* dead */ } }
      if (owner && !alive) { rmSync(LOCK_DIR, { recursive: true, force: true }); return false; }
      if (!told) { progress(`waiting for another process (pid ${owner || '?'}) installing code-server`); told = true; }
      return false;
    }
  }, { timeout: 15 * 60_000, interval: 500, what: `the code-server install lock ${LOCK_DIR}` });
  if (fatal) throw fatal;
  return () => rmSync(LOCK_DIR, { recursive: true, force: true });
}

async function install() {
  const started = Date.now();
  if (existsSync(INSTALL_DIR)) {
    progress(`removing incomplete install in ${INSTALL_DIR}`);
    rmSync(INSTALL_DIR, { recursive: true, force: true });
  }
  mkdirSync(INSTALL_DIR, { recursive: true });
  // A scratch package so npm installs here instead of walking up to the repo's package.json.
  writeFileSync(join(INSTALL_DIR, 'package.json'),
    JSON.stringify({ name: 'code-server-cache', private: true, version: '0.0.0' }, null, 2) + '\n');

  const vscodeDir = join(INSTALL_DIR, 'node_modules/code-server/lib/vscode');
  // npx (called by node-pty's rebuild) is configured not to prompt; this answers yes.
  const yes = { npm_config_yes: 'true' };

  // Its own postinstall refuses root without --unsafe-perm and @vscode/ripgrep would download
  // a binary from the internet, hence --ignore-scripts and the manual steps below.
  progress(`1/6 npm install --ignore-scripts code-server@${CODE_SERVER_VERSION}`);
  await sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], { cwd: INSTALL_DIR });

  progress('2/6 npm install --omit=dev --ignore-scripts in lib/vscode');
  await sh('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: vscodeDir });

  progress('3/6 npm rebuild of the native modules (@parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid)');
  await sh('npm', ['rebuild', '@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty', '@vscode/deviceid'],
    { cwd: vscodeDir, env: yes });

  progress(`4/6 ripgrep -> ${RIPGREP}`);
  const rgBin = join(vscodeDir, 'node_modules/@vscode/ripgrep/bin');
  mkdirSync(rgBin, { recursive: true });
  forceSymlink(RIPGREP, join(rgBin, 'rg'));

  progress('5/6 node_modules.asar -> node_modules');
  forceSymlink('node_modules', join(vscodeDir, 'node_modules.asar'));

  progress('6/6 npm rebuild argon2');
  await sh('npm', ['rebuild', 'argon2'], { cwd: INSTALL_DIR, env: yes });

  if (!existsSync(ENTRY)) throw new Error(`code-server install finished but ${ENTRY} is missing`);
  writeFileSync(MARKER, `${CODE_SERVER_VERSION} ${new Date().toISOString()}\n`);
  progress(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ENTRY;
}

/** Polls `fn` until it returns a truthy value (returned) or the deadline passes (throws). */
export async function waitFor(fn, { timeout = 30_000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { lastErr = e; }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Run dirs are kept for post-mortems (logs, settings); keep the newest KEEP_RUNS and drop
 * older ones, but never one touched in the last hour (it may belong to a run in progress).
 */
const KEEP_RUNS = 10;
function pruneRuns() {
  const runs = join(CACHE_DIR, 'runs');
  if (!existsSync(runs)) return;
  const old = readdirSync(runs).sort().reverse().slice(KEEP_RUNS);
  for (const name of old) {
    const dir = join(runs, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > 3_600_000) rmSync(dir, { recursive: true, force: true });
    } catch { /* raced with another pruner */ }
  }
}

/** Is `port` free on `host`? */
function portFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A free port chosen by the OS on the loopback interface. */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** `preferred` if free, else the next free port above it (up to +100), else any free port. */
export async function portFrom(preferred, host = '127.0.0.1') {
  for (let p = preferred; p < preferred + 100 && p < 65536; p++) if (await portFree(p, host)) return p;
  return freePort(host);
}

/**
 * Starts code-server on a loopback port with its own config, user data and extensions dirs.
 * @param {object} o
 * @param {string} o.folder      workspace folder opened by default
 * @param {object} [o.settings]  merged over CLEAN_SETTINGS into User/settings.json
 * @param {boolean} [o.trust]    true turns workspace trust back on (to test restricted mode)
 * @param {number} [o.port]      default: a free port
 * @param {string} [o.host]      default 127.0.0.1 (keep loopback: webviews need a secure context)
 * @param {string} [o.runDir]    default: fresh .vscode-test/runs/<id>/; a given dir is reused (npm start)
 * @param {string} [o.vsix]      a VSIX to install into the run's extensions dir before the server starts
 * @param {(line:string)=>void} [o.log]  receives the server's output lines (default: kept for error messages only)
 */
export async function startCodeServer({ folder, settings = {}, trust = false, port, host = '127.0.0.1', runDir, vsix, log } = {}) {
  const entry = await ensureCodeServer();
  if (!runDir) {
    pruneRuns();
    const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
    runDir = join(CACHE_DIR, 'runs', id);
  }
  const ud = join(runDir, 'ud');
  const ext = join(runDir, 'ext');
  const config = join(runDir, 'config.yaml');
  mkdirSync(join(ud, 'User'), { recursive: true });
  mkdirSync(ext, { recursive: true });
  // Always pass --config: without it code-server writes ~/.config/code-server/config.yaml.
  if (!existsSync(config)) writeFileSync(config, '');

  // Keep settings a person changed in a persistent run dir; the clean-window keys and the
  // caller's keys always win.
  const settingsFile = join(ud, 'User/settings.json');
  let existing = {};
  if (existsSync(settingsFile)) { try { existing = JSON.parse(readFileSync(settingsFile, 'utf8')); } catch { /* rewrite */ } }
  const userSettings = { ...existing, ...CLEAN_SETTINGS, ...settings };
  if (trust) userSettings['security.workspace.trust.enabled'] = true;
  writeFileSync(settingsFile, JSON.stringify(userSettings, null, 2) + '\n');

  const common = ['--config', config, '--user-data-dir', ud, '--extensions-dir', ext];
  const installVsix = (file) => sh(process.execPath, [entry, ...common, '--install-extension', file, '--force'], { cwd: runDir });
  if (vsix) await installVsix(vsix);

  if (!port) port = await freePort(host);
  const args = [entry, ...common, '--auth', 'none', '--bind-addr', `${host}:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', folder];
  if (trust) args.splice(args.indexOf('--disable-workspace-trust'), 1);

  // setsid: the server becomes a process-group leader, so stop() can signal the whole group
  // (the extension host and pty host are children that would otherwise survive).
  const child = spawn('setsid', [process.execPath, ...args], { cwd: runDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d) => {
    output = (output + d).slice(-20_000);
    if (log) for (const line of String(d).split('\n')) if (line.trim()) log(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('close', (code, signal) => { exited = { code, signal }; resolve(exited); }));

  const url = `http://${host}:${port}`;
  let stopped = false;
  const groupAlive = () => { try { process.kill(-child.pid, 0); return true; } catch { return false; } };
  const stop = async () => {
    if (stopped) return exitPromise;
    stopped = true;
    // setsid execs into node, so child.pid is the group leader's pid and the group's id.
    if (groupAlive()) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
    if (!exited) {
      await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 5000))]);
    }
    // Once the browser has disconnected, the extension host waits for a reconnection and
    // ignores SIGTERM (seen with 1.99.3): give the group a short grace, then SIGKILL the rest.
    await waitFor(() => !groupAlive(), { timeout: 1500, interval: 50, what: 'code-server process group to exit' })
      .catch(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
    await waitFor(() => !groupAlive(), { timeout: 5000, interval: 50, what: 'code-server process group to die' });
    return exitPromise;
  };

  try {
    await waitFor(async () => {
      if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${output}`);
      const r = await fetch(`${url}/healthz`).catch(() => null);
      return r && r.ok;
    }, { timeout: 30_000, interval: 100, what: `${url}/healthz` });
  } catch (e) {
    await stop();
    if (exited && !String(e.message).includes('exited early')) e.message += `\n--- code-server output ---\n${output}`;
    throw e;
  }

  return {
    url, port, host, runDir, entry, ud, ext, pid: child.pid,
    /** Output of the server so far (last 20 kB). */
    output: () => output,
    /** The URL that opens `dir` (default: the started folder) in the workbench. */
    // Slashes are legal in a query, so they stay readable; everything else is encoded.
    folderUrl: (dir = folder) => `${url}/?folder=${encodeURIComponent(dir).replace(/%2F/g, '/')}`,
    /** `vscode-remote://host:port/abs/path` — what the payload query expects. */
    remoteUri: (absPath) => `vscode-remote://${host}:${port}${absPath}`,
    /** Installs a VSIX into this run's extensions dir (`code-server --install-extension`, under 1 s);
     *  a page loaded afterwards gets it. Prefer the `vsix` option, which installs before the start. */
    installVsix,
    stop,
    exited: exitPromise,
  };
}

/** Debian chromium through playwright-core, headless, with a fresh profile. */
export async function launchBrowser() {
  checkSystemPackages();
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
