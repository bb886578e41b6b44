/**
 * Which listening sockets a scrape of a local target reaches, from /proc/net/tcp and
 * /proc/net/tcp6 (pure: text in, entries out). Used by portOwner.ts to find the process that
 * holds a component's metrics port.
 *
 * A line of /proc/net/tcp(6):
 *
 *    sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *     0: 0100007F:24F5 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123456 1 …
 *
 * The address is printed as 32-bit words in the machine's byte order (`0100007F` is
 * 127.0.0.1 on a little-endian machine), the port as a plain hexadecimal number, state `0A`
 * is LISTEN, and `inode` is the socket's inode: /proc/PID/fd/N of the process that holds it
 * links to `socket:[inode]`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { endianness, networkInterfaces } from 'node:os';

export interface ListenEntry {
  /** Canonical text of the bound address: `127.0.0.1`, `0.0.0.0`, `::1`, `::`, `::ffff:7f00:1`. */
  address: string;
  port: number;
  /** Owner of the socket (the effective uid of the process that created it). */
  uid: number;
  inode: number;
}

const LISTEN = '0A';

/** The LISTEN entries of the text of /proc/net/tcp or /proc/net/tcp6. Lines that do not parse are skipped. */
export function parseListeners(text: string, littleEndian = endianness() === 'LE'): ListenEntry[] {
  const out: ListenEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, …
    if (f.length < 10 || f[3] !== LISTEN || !f[0].endsWith(':')) continue;
    const colon = f[1].indexOf(':');
    if (colon < 0) continue;
    const address = decodeProcAddress(f[1].slice(0, colon), littleEndian);
    const port = parseInt(f[1].slice(colon + 1), 16);
    const uid = Number(f[7]);
    const inode = Number(f[9]);
    if (address === undefined || !(port > 0) || !Number.isInteger(uid) || !(inode > 0)) continue;
    out.push({ address, port, uid, inode });
  }
  return out;
}

/** An address of /proc/net/tcp(6) (8 or 32 hex digits, 32-bit words in host order) as canonical text. */
export function decodeProcAddress(hex: string, littleEndian = endianness() === 'LE'): string | undefined {
  if ((hex.length !== 8 && hex.length !== 32) || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return canonicalIp(groups.join(':'));
}

/** The WHATWG URL form of an IP address (what `new URL(…).hostname` gives, without brackets); undefined when it is not one. */
export function canonicalIp(ip: string): string | undefined {
  try {
    if (isIPv4(ip)) return new URL(`http://${ip}/`).hostname;
    if (isIPv6(ip)) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    /* not an address */
  }
  return undefined;
}

/** A scrape target on this machine: its port and the addresses its host name stands for. */
export interface LocalTarget {
  port: number;
  addresses: string[];
}

/**
 * The target of `url` when it is on this machine: `localhost`, a loopback address, the
 * unspecified address (which connects to this machine), or an address of one of its network
 * interfaces. Undefined for any other host (a remote machine, or a name we would have to
 * resolve): its listening socket is not in our /proc.
 */
export function localTarget(url: string, interfaceAddresses: readonly string[] = localInterfaceAddresses()): LocalTarget | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (host === 'localhost' || host.endsWith('.localhost')) return { port, addresses: ['127.0.0.1', '::1'] };
  if (host === '0.0.0.0') return { port, addresses: ['127.0.0.1'] };
  if (host === '::') return { port, addresses: ['::1'] };
  const ip = canonicalIp(host);
  if (ip === undefined) return undefined;
  const mappedV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ip);
  const v4 = mappedV4 ? canonicalIp(`${parseInt(mappedV4[1], 16) >> 8}.${parseInt(mappedV4[1], 16) & 255}.${parseInt(mappedV4[2], 16) >> 8}.${parseInt(mappedV4[2], 16) & 255}`)! : undefined;
  const loopback = ip.startsWith('127.') || ip === '::1' || (v4 !== undefined && v4.startsWith('127.'));
  if (!loopback && !interfaceAddresses.includes(ip) && !(v4 !== undefined && interfaceAddresses.includes(v4))) return undefined;
  return { port, addresses: v4 !== undefined ? [v4] : [ip] };
}

/** The canonical addresses of this machine's network interfaces. */
export function localInterfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const c = canonicalIp(a.address);
      if (c !== undefined) out.push(c);
    }
  }
  return out;
}

/**
 * The listening sockets a connection to the target reaches: of those on its port, the ones
 * bound to exactly one of its addresses (also as an IPv4-mapped IPv6 address), or else the
 * ones bound to the wildcard of the family (`0.0.0.0`; `::`, which takes IPv4 too unless the
 * socket is IPv6-only). The kernel prefers the exact bind, so a wildcard listener only counts
 * when there is none. More than one remains with SO_REUSEPORT, or for `localhost` (both
 * 127.0.0.1 and ::1).
 */
export function listenersFor(entries: readonly ListenEntry[], target: LocalTarget): ListenEntry[] {
  const exact = new Set<string>();
  let v4 = false;
  for (const a of target.addresses) {
    exact.add(a);
    if (isIPv4(a)) {
      v4 = true;
      const mapped = canonicalIp(`::ffff:${a}`);
      if (mapped) exact.add(mapped);
    }
  }
  const onPort = entries.filter((e) => e.port === target.port);
  const exactHits = onPort.filter((e) => exact.has(e.address));
  if (exactHits.length) return exactHits;
  return onPort.filter((e) => e.address === '::' || (v4 && e.address === '0.0.0.0'));
}

/** The inode of an fd link `socket:[12345]`, or undefined for any other link. */
export function socketInode(link: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}
