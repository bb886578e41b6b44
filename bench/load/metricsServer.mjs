/**
 * The load benchmark's synthetic components: one Node process serving COUNT Prometheus
 * `/metrics` endpoints on free loopback ports, each with SERIES series whose values move
 * (gauges on a slow wave plus seeded noise, counters growing at a varying rate), so every
 * scrape converts, stores and scores real changes.
 *
 * Usage: node bench/load/metricsServer.mjs COUNT SERIES SEED
 * Prints one JSON line `{"pid":..,"ports":[..]}` on stdout once every port listens.
 * Stops when its stdin closes (the benchmark ended or died), so it never outlives it.
 */
import { createServer } from 'node:http';

const count = Number(process.argv[2] ?? 10);
const seriesPer = Number(process.argv[3] ?? 200);
const seed = Number(process.argv[4] ?? 1);

/** A small seeded generator (mulberry32): the same values for the same seed. */
function rng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fifth of the series are counters (`_total`), the rest gauges. */
function endpoint(index) {
  const rand = rng(seed * 1000 + index);
  const counters = Math.floor(seriesPer / 5);
  const gauges = seriesPer - counters;
  const base = Array.from({ length: gauges }, () => 10 + rand() * 1000);
  const period = Array.from({ length: gauges }, () => 30_000 + rand() * 300_000);
  const rate = Array.from({ length: counters }, () => 1 + rand() * 500);
  const total = new Float64Array(counters);
  let last = performance.now();
  const gaugeHead = `# HELP load_value A synthetic gauge.\n# TYPE load_value gauge\n`;
  const counterHead = `# HELP load_requests_total A synthetic counter.\n# TYPE load_requests_total counter\n`;
  const gaugeNames = base.map((_, i) => `load_value{slot="${i}"} `);
  const counterNames = rate.map((_, i) => `load_requests_total{slot="${i}"} `);
  return () => {
    const now = performance.now();
    const dt = (now - last) / 1000;
    last = now;
    const t = Date.now();
    let body = gaugeHead;
    for (let i = 0; i < gauges; i++) {
      const v = base[i] * (1 + 0.2 * Math.sin((2 * Math.PI * t) / period[i])) + (rand() - 0.5) * base[i] * 0.02;
      body += gaugeNames[i] + v.toFixed(3) + '\n';
    }
    body += counterHead;
    for (let i = 0; i < counters; i++) {
      total[i] += rate[i] * dt * (0.5 + rand());
      body += counterNames[i] + Math.floor(total[i]) + '\n';
    }
    return body;
  };
}

const servers = [];
const ports = [];
for (let i = 0; i < count; i++) {
  const render = endpoint(i);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const body = render();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ pid: process.pid, ports })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
