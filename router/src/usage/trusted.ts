// RATE_LIMIT_TRUSTED: clients whose rate limits are raised, e.g. a partner's organization or the
// addresses of an internal service: `org:<organization id>=<multiplier>` or
// `<address or subnet>=<multiplier>`, comma-separated:
//   RATE_LIMIT_TRUSTED="org:3f2c…=10, 10.0.0.0/8=5, 203.0.113.7=20, 2001:db8::/48=3"
// A request matching several entries gets the largest multiplier, applied to each of its budgets.
import { BlockList, isIP } from 'node:net';

export interface TrustedClient {
  /** The entry as written, for logs. */
  entry: string;
  multiplier: number;
  matches: (who: { organizationId: string | null; address: string | null }) => boolean;
}

const unmapped = (address: string) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

function parseEntry(raw: string): TrustedClient {
  const entry = raw.trim();
  const equals = entry.lastIndexOf('=');
  if (equals < 0) throw new Error(`"${entry}" has no "=<multiplier>"`);
  const target = entry.slice(0, equals).trim();
  const multiplier = Number(entry.slice(equals + 1).trim());
  if (!Number.isFinite(multiplier) || multiplier < 1 || multiplier > 10_000) {
    throw new Error(`"${entry}": the multiplier must be a number from 1 to 10000`);
  }
  if (target.startsWith('org:')) {
    const id = target.slice(4).trim();
    if (!id) throw new Error(`"${entry}": no organization id after "org:"`);
    return { entry, multiplier, matches: ({ organizationId }) => organizationId === id };
  }
  const [address = '', prefixText] = target.split('/');
  const version = isIP(address);
  if (version === 0) throw new Error(`"${entry}": "${target}" is neither org:<id> nor an address or subnet`);
  const type = version === 4 ? 'ipv4' : 'ipv6';
  const prefix = prefixText === undefined ? (version === 4 ? 32 : 128) : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (version === 4 ? 32 : 128)) {
    throw new Error(`"${entry}": invalid prefix length`);
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, type);
  return {
    entry,
    multiplier,
    matches: ({ address: client }) => {
      if (!client) return false;
      const ip = unmapped(client.split('%')[0]!);
      const clientVersion = isIP(ip);
      return clientVersion !== 0 && list.check(ip, clientVersion === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** Parses RATE_LIMIT_TRUSTED; throws naming the bad entry. */
export function parseTrustedClients(text: string): TrustedClient[] {
  return text
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .map(parseEntry);
}

/** The largest multiplier of the entries the caller matches (1 when none). */
export function trustMultiplier(
  trusted: readonly TrustedClient[],
  who: { organizationId: string | null; address: string | null },
): number {
  let multiplier = 1;
  for (const client of trusted) if (client.matches(who)) multiplier = Math.max(multiplier, client.multiplier);
  return multiplier;
}
