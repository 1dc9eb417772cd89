// The client applications and their persisted query manifests (schema/clients/<name>/, generated
// by `npm run manifests`), loaded once at start. A client directory without a manifest, or with a
// malformed one, stops the router: a partner whose operations silently vanished would be refused
// everything.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ClientKind = 'first-party' | 'partner';
export type DocumentsMode = 'arbitrary' | 'ids-allowed' | 'ids-required';
export const DOCUMENTS_MODES: readonly DocumentsMode[] = ['arbitrary', 'ids-allowed', 'ids-required'];

export interface TrustedOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface ClientApplication {
  name: string;
  kind: ClientKind;
  /** The mode its client.json asks for (production forces ids-required on partners: client.ts). */
  documents: DocumentsMode;
  /** Its manifest, by id. */
  operations: ReadonlyMap<string, TrustedOperation>;
}

export interface TrustedDocuments {
  clients: ReadonlyMap<string, ClientApplication>;
  /** Every first-party manifest together: the ids a caller that names no client may send. */
  firstParty: ReadonlyMap<string, TrustedOperation>;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

function readClient(directory: string, name: string): ClientApplication {
  const client = readJson(join(directory, 'client.json')) as Record<string, unknown>;
  if (client.kind !== 'first-party' && client.kind !== 'partner')
    throw new Error(`${directory}/client.json: "kind" must be first-party or partner`);
  if (!DOCUMENTS_MODES.includes(client.documents as DocumentsMode))
    throw new Error(`${directory}/client.json: "documents" must be one of ${DOCUMENTS_MODES.join(', ')}`);
  const manifestPath = join(directory, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run \`npm run manifests\``);
  const manifest = readJson(manifestPath) as { format?: unknown; version?: unknown; operations?: unknown };
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1)
    throw new Error(`${manifestPath}: not an apollo-persisted-query-manifest of version 1`);
  const operations = new Map<string, TrustedOperation>();
  for (const operation of Array.isArray(manifest.operations)
    ? (manifest.operations as TrustedOperation[])
    : []) {
    // The id is what clients send: it must be the body's hash, or a tampered manifest could map a
    // listed id onto another document.
    if (typeof operation.body !== 'string' || operation.id !== sha256Hex(operation.body))
      throw new Error(
        `${manifestPath}: operation ${String(operation.name)} has an id that is not the SHA-256 of its body`,
      );
    operations.set(operation.id, operation);
  }
  return { name, kind: client.kind, documents: client.documents as DocumentsMode, operations };
}

/** Loads every client under `root`; no such directory: no client applications. */
export function loadTrustedDocuments(root: string): TrustedDocuments {
  const clients = new Map<string, ClientApplication>();
  const firstParty = new Map<string, TrustedOperation>();
  if (!existsSync(root)) return { clients, firstParty };
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(root, entry.name, 'client.json'))) continue;
    const client = readClient(join(root, entry.name), entry.name);
    clients.set(client.name, client);
    if (client.kind === 'first-party') for (const [id, op] of client.operations) firstParty.set(id, op);
  }
  return { clients, firstParty };
}
