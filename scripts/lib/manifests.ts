// Trusted documents: one persisted query manifest per client application (schema/clients/<name>/),
// generated from its operations/*.graphql and validated against the composed API schema.
//
// Format: Apollo's persisted query manifest. `id` is the SHA-256 (hex) of `body` exactly as written
// in the manifest; `body` is the operation (and the fragments it spreads) printed by graphql-js
// `print`, so reformatting or re-commenting an operation file changes no id, while any change to
// what the operation selects does.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import {
  Kind,
  parse,
  print,
  validate,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { prepareSupergraph } from '@flow/router';

export const repositoryRoot = join(__dirname, '..', '..');
export const clientsDir = join(repositoryRoot, 'schema', 'clients');
export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export type ClientKind = 'first-party' | 'partner';
export type DocumentsMode = 'arbitrary' | 'ids-allowed' | 'ids-required';

export interface ClientApplication {
  name: string;
  kind: ClientKind;
  documents: DocumentsMode;
}

export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface PersistedQueryManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  operations: ManifestOperation[];
}

export const documentId = (body: string) => createHash('sha256').update(body).digest('hex');

const KINDS: ClientKind[] = ['first-party', 'partner'];
const MODES: DocumentsMode[] = ['arbitrary', 'ids-allowed', 'ids-required'];

export function readClient(directory: string, name: string): ClientApplication {
  const file = join(directory, 'client.json');
  const client = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClientApplication>;
  if (client.name !== name) throw new Error(`${file}: "name" must be "${name}" (its directory)`);
  if (!KINDS.includes(client.kind!)) throw new Error(`${file}: "kind" must be one of ${KINDS.join(', ')}`);
  if (!MODES.includes(client.documents!))
    throw new Error(`${file}: "documents" must be one of ${MODES.join(', ')}`);
  return { name, kind: client.kind!, documents: client.documents! };
}

/** The client directories under `root` (those with a client.json), sorted by name. */
export function clientNames(root = clientsDir): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'client.json')))
    .map((entry) => entry.name)
    .sort();
}

/** The API schema clients see, from the checked-in supergraph (as the router builds it). */
export function apiSchema(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(prepareSupergraph(supergraphSdl).gatewaySdl).apiSchema().toGraphQLJSSchema();
}

function fragmentsUsedBy(
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment || used.has(name)) return;
        used.set(name, fragment);
        walk(fragment);
      },
    });
  walk(operation);
  return [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
}

/**
 * The manifest of one client: every named operation of its operation files, each validated
 * against `schema` (errors name the client, the file and the operation).
 */
export function buildManifest(
  directory: string,
  client: string,
  schema: GraphQLSchema,
): PersistedQueryManifest {
  const operationsDir = join(directory, 'operations');
  const files = existsSync(operationsDir)
    ? readdirSync(operationsDir)
        .filter((file) => file.endsWith('.graphql'))
        .sort()
    : [];
  const problems: string[] = [];
  const operations: ManifestOperation[] = [];
  const names = new Set<string>();
  for (const file of files) {
    const where = `schema/clients/${client}/operations/${file}`;
    let document: DocumentNode;
    try {
      document = parse(readFileSync(join(operationsDir, file), 'utf8'), { noLocation: true });
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    const fragments = new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = definition.name?.value;
      if (!name) {
        problems.push(`${where}: every operation must be named`);
        continue;
      }
      if (names.has(name)) problems.push(`${where}: operation ${name} is defined twice in ${client}`);
      names.add(name);
      const single: DocumentNode = {
        kind: Kind.DOCUMENT,
        definitions: [definition, ...fragmentsUsedBy(definition, fragments)],
      };
      for (const error of validate(schema, single))
        problems.push(`${where}: ${client} operation ${name}: ${error.message}`);
      const body = print(single);
      operations.push({ id: documentId(body), name, type: definition.operation, body });
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return { format: MANIFEST_FORMAT, version: 1, operations };
}

export const manifestText = (manifest: PersistedQueryManifest) => `${JSON.stringify(manifest, null, 2)}\n`;

/** Every client's manifest text, by manifest path. */
export function generateManifests(supergraphSdl: string, root = clientsDir): Map<string, string> {
  const schema = apiSchema(supergraphSdl);
  const problems: string[] = [];
  const result = new Map<string, string>();
  for (const name of clientNames(root)) {
    const directory = join(root, name);
    try {
      readClient(directory, name);
      result.set(join(directory, 'manifest.json'), manifestText(buildManifest(directory, name, schema)));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length) throw new Error(`invalid client operations:\n${problems.join('\n')}`);
  return result;
}
