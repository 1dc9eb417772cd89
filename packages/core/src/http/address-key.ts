import { isIP } from 'node:net';

/**
 * The throttling key of a client address. IPv4 as is (IPv4-mapped IPv6 unwrapped); IPv6 by its
 * /64 prefix, since one subscriber usually holds a whole /64 and could otherwise rotate addresses
 * for a fresh budget at each attempt.
 */
export function addressKey(address: string | null | undefined): string {
  if (!address) return 'unknown';
  let ip = address.trim();
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version !== 6) return `other:${ip.slice(0, 100)}`;
  const hextets = expandIpv6(ip);
  return `${hextets.slice(0, 4).join(':')}::/64`;
}

/** Eight hextets, lowercase without leading zeros, of a valid IPv6 address (embedded IPv4 allowed). */
function expandIpv6(ip: string): string[] {
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((hextet) => parseInt(hextet, 16).toString(16));
}
