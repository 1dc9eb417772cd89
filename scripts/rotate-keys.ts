// `npm run keys:rotate [-- --publish-seconds N]`: adds a new users signing key that starts
// signing after N seconds (default 600), and drops keys whose tokens have all expired.
// The running users process picks the change up from the file; no restart is needed.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKeySet, pruneRetiredKeys, rotate } from '@flow/users';

async function main() {
  const dataDir = process.env.FLOW_DATA_DIR ?? join(__dirname, '..', '.flow-data');
  const file = process.env.JWT_SIGNING_KEYS_FILE ?? join(dataDir, 'keys', 'users-signing-keys.json');
  const flag = process.argv.indexOf('--publish-seconds');
  const publishSeconds = flag > 0 ? Number(process.argv[flag + 1]) : 600;
  if (!Number.isInteger(publishSeconds) || publishSeconds < 0)
    throw new Error('--publish-seconds must be a whole number');
  if (publishSeconds < 30) {
    // The router refetches the JWKS for an unknown kid at most every JWKS_COOLDOWN_SECONDS (30).
    console.warn(
      `warning: a ${publishSeconds} s publication window is shorter than the router's JWKS cooldown (30 s)`,
    );
  }
  const tokenLifetime = Number(process.env.ACCESS_TOKEN_TTL_SECONDS ?? 900);

  const current = parseKeySet(readFileSync(file, 'utf8'));
  const next = pruneRetiredKeys(await rotate(current, publishSeconds), tokenLifetime);
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(next, null, 2), { mode: 0o600 });
  renameSync(temporary, file);
  const added = next.keys[next.keys.length - 1]!;
  const dropped = current.keys.filter((k) => !next.keys.some((n) => n.kid === k.kid)).map((k) => k.kid);
  console.log(`added key ${added.kid}: published now, signs from ${added.activatesAt}`);
  if (dropped.length) console.log(`dropped retired keys: ${dropped.join(', ')}`);
  console.log(`keys in ${file}: ${next.keys.map((k) => k.kid).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`keys:rotate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
