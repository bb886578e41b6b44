/**
 * systeminformation, loaded on first use only (it is large and most of it is not needed on
 * the 100 ms path). It serves the slow sources (file systems, GPU) and the fallback on
 * systems without /proc.
 *
 * Only the package's modules that hold the functions used here are loaded, each when one of
 * its functions is first called: the package's index loads all twenty of them (700 KB of the
 * 1.3 MB monitor bundle, kept in the heap as the script's source, and every module's set-up
 * run), where the monitor on Linux calls `graphics` only (docs/performance.md, "Monitoring").
 * The index's one piece of set-up, reading the code page and PowerShell's path on Windows,
 * is done here before the first call there.
 */
type SI = typeof import('systeminformation');

/** The functions of systeminformation the collectors call. */
export type Systeminformation = Pick<SI, 'fsSize' | 'graphics' | 'processes' | 'currentLoad' | 'mem' | 'networkStats'>;

let windowsReady = false;
/** Requires one module of the package (literal names, so the bundler takes just those). */
function sysinfoModule<K extends keyof Systeminformation>(load: () => unknown): () => Pick<Systeminformation, K> {
  let m: Pick<Systeminformation, K> | undefined;
  return () => {
    if (!windowsReady && process.platform === 'win32') {
      const util = require('systeminformation/lib/util') as { getCodepage(): unknown; getPowershell(): unknown };
      util.getCodepage();
      util.getPowershell();
    }
    windowsReady = true;
    return (m ??= load() as Pick<Systeminformation, K>);
  };
}
const filesystem = sysinfoModule<'fsSize'>(() => require('systeminformation/lib/filesystem'));
const graphics = sysinfoModule<'graphics'>(() => require('systeminformation/lib/graphics'));
const processes = sysinfoModule<'processes'>(() => require('systeminformation/lib/processes'));
const cpu = sysinfoModule<'currentLoad'>(() => require('systeminformation/lib/cpu'));
const memory = sysinfoModule<'mem'>(() => require('systeminformation/lib/memory'));
const network = sysinfoModule<'networkStats'>(() => require('systeminformation/lib/network'));

const si: Systeminformation = {
  fsSize: ((...a: Parameters<SI['fsSize']>) => filesystem().fsSize(...a)) as SI['fsSize'],
  graphics: ((...a: Parameters<SI['graphics']>) => graphics().graphics(...a)) as SI['graphics'],
  processes: ((...a: Parameters<SI['processes']>) => processes().processes(...a)) as SI['processes'],
  currentLoad: ((...a: Parameters<SI['currentLoad']>) => cpu().currentLoad(...a)) as SI['currentLoad'],
  mem: ((...a: Parameters<SI['mem']>) => memory().mem(...a)) as SI['mem'],
  networkStats: ((...a: Parameters<SI['networkStats']>) => network().networkStats(...a)) as SI['networkStats'],
};

/**
 * The functions; each loads its module on its first call, and a module that cannot be
 * loaded rejects that call (the collectors report it as a problem of theirs).
 */
export function loadSysteminformation(): Promise<Systeminformation> {
  return Promise.resolve(si);
}
