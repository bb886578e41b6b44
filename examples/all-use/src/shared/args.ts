// Command-line flags shared by every component:
//   --config FILE  --port N  --host ADDR  --pid-file F  --data-dir D
//   --fault NAME[:k=v,k=v]  (repeatable)  --peer name=URL (repeatable)  --paused  --watch-stdin
export interface FaultFlag { name: string; params: Record<string, number | string> }

export interface ComponentArgs {
  config?: string;
  port?: number;
  host: string;
  pidFile?: string;
  dataDir?: string;
  faults: FaultFlag[];
  peers: Record<string, string>;
  paused: boolean;
  watchStdin: boolean;
}

export function parseFaultFlag(s: string): FaultFlag {
  const [name, rest] = s.split(':', 2);
  const params: Record<string, number | string> = {};
  for (const kv of (rest ?? '').split(',').filter(Boolean)) {
    const [k, v = ''] = kv.split('=', 2);
    const n = Number(v);
    params[k] = v !== '' && Number.isFinite(n) ? n : v;
  }
  return { name, params };
}

export function parseArgs(argv: string[]): ComponentArgs {
  const out: ComponentArgs = { host: '127.0.0.1', faults: [], peers: {}, paused: false, watchStdin: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value after ${a}`);
      return v;
    };
    switch (a) {
      case '--config': out.config = val(); break;
      case '--port': {
        const p = Number(val());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`--port must be an integer 0-65535`);
        out.port = p; break;
      }
      case '--host': out.host = val(); break;
      case '--pid-file': out.pidFile = val(); break;
      case '--data-dir': out.dataDir = val(); break;
      case '--fault': out.faults.push(parseFaultFlag(val())); break;
      case '--peer': {
        const v = val(); const eq = v.indexOf('=');
        if (eq < 1) throw new Error(`--peer expects name=URL, got "${v}"`);
        out.peers[v.slice(0, eq)] = v.slice(eq + 1); break;
      }
      case '--paused': out.paused = true; break;
      case '--watch-stdin': out.watchStdin = true; break;
      default: throw new Error(`unknown argument "${a}"`);
    }
  }
  return out;
}
