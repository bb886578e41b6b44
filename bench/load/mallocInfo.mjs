/**
 * glibc malloc's own account of a running process, per arena: `node bench/load/mallocInfo.mjs PID`.
 *
 * Node cannot call malloc_info(3) on itself without a native module, so this attaches gdb for
 * a moment (the process pauses for well under a second), has the process write malloc_info's
 * XML to a temp file, and prints per arena the memory malloc holds from the system, how much
 * of it is free (fragmentation: free chunks it has not given back), and the chunks it mmapped
 * (allocations above the mmap threshold). Needs gdb and ptrace rights over PID (root, or the
 * same user with ptrace_scope 0). A diagnostic for bench:load, not something the product runs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pid = Number(process.argv[2]);
if (!pid) {
  console.error('usage: node bench/load/mallocInfo.mjs PID [--json]');
  process.exit(2);
}
const xmlFile = join(tmpdir(), `alluse-malloc-info-${pid}-${Date.now()}.xml`);
const script = join(tmpdir(), `alluse-malloc-info-${pid}.gdb`);
writeFileSync(script, ['set pagination off', `call (void*)fopen("${xmlFile}", "w")`, 'call (int)malloc_info(0, $1)', 'call (int)fclose($1)', 'detach', 'quit', ''].join('\n'));
execFileSync('gdb', ['-p', String(pid), '-batch', '-x', script], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 });
const xml = readFileSync(xmlFile, 'utf8');
rmSync(xmlFile, { force: true });
rmSync(script, { force: true });

const MiB = (n) => Math.round((n / 1048576) * 10) / 10;
const attr = (text, type, name) => Number(new RegExp(`<${type} type="${name}"[^>]*size="(\\d+)"`).exec(text)?.[1] ?? 0);
const arenas = [...xml.matchAll(/<heap nr="(\d+)">([\s\S]*?)<\/heap>/g)].map(([, nr, body]) => {
  const current = attr(body, 'system', 'current');
  const free = attr(body, 'total', 'fast') + attr(body, 'total', 'rest');
  return { nr: Number(nr), systemMiB: MiB(current), freeMiB: MiB(free), inUseMiB: MiB(current - free) };
});
const tail = xml.slice(xml.lastIndexOf('</heap>'));
const mmap = { count: Number(/<total type="mmap" count="(\d+)"/.exec(tail)?.[1] ?? 0), MiB: MiB(attr(tail, 'total', 'mmap')) };
const sum = (k) => Math.round(arenas.reduce((a, x) => a + x[k], 0) * 10) / 10;
const result = { pid, at: new Date().toISOString(), systemMiB: sum('systemMiB'), freeMiB: sum('freeMiB'), inUseMiB: sum('inUseMiB'), mmap, arenas };
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`malloc (pid ${pid}): arenas hold ${result.systemMiB} MiB from the system, ${result.freeMiB} MiB of it free, ${result.inUseMiB} MiB in use; mmapped chunks ${mmap.count} = ${mmap.MiB} MiB`);
  for (const a of arenas.filter((x) => x.systemMiB >= 1)) console.log(`  arena ${a.nr}: ${a.systemMiB} MiB, free ${a.freeMiB}, in use ${a.inUseMiB}`);
}
