// Reads the registered client applications: schema/clients/<client>/client.json and manifest.json
// (Apollo's persisted query manifest). A missing directory means no client is registered yet.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientsDir, MANIFEST_FORMAT, type ManifestOperation } from './manifests';

export type { ManifestOperation };
export const defaultClientsDir = clientsDir;

export interface ClientManifest {
  /** The client application's name (client.json `name`, else its directory's name). */
  client: string;
  kind?: string;
  operations: ManifestOperation[];
}

export class ManifestFormatError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ManifestFormatError';
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestFormatError(file, `not valid JSON (${(error as Error).message})`);
  }
}

function operationsOf(file: string): ManifestOperation[] {
  const manifest = readJson(file) as { format?: unknown; version?: unknown; operations?: unknown };
  if (manifest?.format !== MANIFEST_FORMAT || manifest.version !== 1) {
    throw new ManifestFormatError(file, `expected format "${MANIFEST_FORMAT}", version 1`);
  }
  if (!Array.isArray(manifest.operations)) throw new ManifestFormatError(file, '"operations" is not a list');
  return manifest.operations.map((entry: Record<string, unknown>, index) => {
    for (const key of ['id', 'name', 'type', 'body']) {
      if (typeof entry?.[key] !== 'string') {
        throw new ManifestFormatError(file, `operations[${index}].${key} is not a string`);
      }
    }
    return entry as unknown as ManifestOperation;
  });
}

/** Every client directory that holds a manifest.json, sorted by name so reports are stable. */
export function readClientManifests(dir: string = defaultClientsDir): ClientManifest[] {
  if (!existsSync(dir)) return [];
  const manifests: ClientManifest[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const clientDir = join(dir, entry.name);
    const manifestFile = join(clientDir, 'manifest.json');
    if (!existsSync(manifestFile)) continue;
    const clientFile = join(clientDir, 'client.json');
    const info = existsSync(clientFile) ? (readJson(clientFile) as { name?: unknown; kind?: unknown }) : {};
    manifests.push({
      client: typeof info.name === 'string' && info.name ? info.name : entry.name,
      kind: typeof info.kind === 'string' ? info.kind : undefined,
      operations: operationsOf(manifestFile),
    });
  }
  return manifests.sort((a, b) => a.client.localeCompare(b.client));
}
