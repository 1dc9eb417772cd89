// Composes schema/<subgraph>.graphql into schema/supergraph.graphql (checked in).
// `npm run compose` writes it; `npm run compose -- --check` fails when the checked-in file is stale.
// Both first check every registered client manifest (schema/clients/*/manifest.json) against the
// new API schema: a change that breaks a client's operation stops here, before anything is written.
// `--allow-breaking=<client>[,<client>]` (or COMPOSE_ALLOW_BREAKING) accepts an intended break.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { defaultSubgraphUrl, subgraphCatalog } from '@flow/core';
import { defaultClientsDir, readClientManifests } from './lib/client-manifests';
import { prepareSupergraph } from '@flow/router';
import {
  apiSchemaOf,
  checkManifests,
  formatProblem,
  type CompatProblem,
  type Requirements,
} from './lib/manifest-compat';

export const schemaDir = join(__dirname, '..', 'schema');
export const supergraphPath = join(schemaDir, 'supergraph.graphql');

export function composeSupergraph(dir: string = schemaDir): string {
  const services = subgraphCatalog.map(({ name }) => ({
    name,
    url: defaultSubgraphUrl(name),
    typeDefs: parse(readFileSync(join(dir, `${name}.graphql`), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}

export interface ClientCheck {
  problems: CompatProblem[];
  /** Breaks of clients not named in allowBreaking: any of them stops compose. */
  blocking: CompatProblem[];
  clients: number;
  operations: number;
}

/**
 * Checks every manifest under clientsDir against supergraphSdl's API schema; previousSdl (the
 * supergraph before the change) adds what only a comparison shows (see lib/manifest-compat.ts).
 */
export function checkClientManifests(options: {
  supergraphSdl: string;
  previousSdl?: string;
  clientsDir?: string;
  allowBreaking?: string[];
}): ClientCheck {
  const manifests = readClientManifests(options.clientsDir ?? defaultClientsDir);
  const allowed = new Set(options.allowBreaking ?? []);
  const unknown = [...allowed].filter((name) => !manifests.some((m) => m.client === name));
  if (unknown.length > 0) {
    throw new Error(`--allow-breaking names no registered client: ${unknown.join(', ')}`);
  }
  const operations = manifests.reduce((sum, m) => sum + m.operations.length, 0);
  if (manifests.length === 0) return { problems: [], blocking: [], clients: 0, operations };
  const now = requirementsOf(options.supergraphSdl);
  const before = options.previousSdl ? requirementsOf(options.previousSdl) : undefined;
  const problems = checkManifests({
    schema: apiSchemaOf(options.supergraphSdl),
    previous: options.previousSdl ? apiSchemaOf(options.previousSdl) : undefined,
    requirements: now && before ? { now, before } : undefined,
    manifests,
  });
  const blocking = problems.filter((p) => p.severity === 'break' && !allowed.has(p.client));
  return { problems, blocking, clients: manifests.length, operations };
}

/**
 * @authenticated / @requiresScopes as the router reads them. A supergraph the router refuses to
 * serve (an unsupported security feature) has none to compare: the router's own start says why.
 */
function requirementsOf(supergraphSdl: string): Requirements | undefined {
  try {
    return prepareSupergraph(supergraphSdl).requirements;
  } catch {
    return undefined;
  }
}

function supergraphAt(ref: string): string {
  return execFileSync('git', ['show', `${ref}:schema/supergraph.graphql`], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
  });
}

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/** Prints the report; false when a break of a client not allowed to break was found. */
function reportClients(check: ClientCheck): boolean {
  for (const problem of check.problems) {
    const label =
      problem.severity === 'warning'
        ? 'warning'
        : check.blocking.includes(problem)
          ? 'BREAKS'
          : 'breaks (allowed)';
    console.error(`${label}: ${formatProblem(problem)}`);
  }
  if (check.blocking.length > 0) {
    const clients = [...new Set(check.blocking.map((p) => p.client))].join(',');
    console.error(
      `\nthe schema change breaks ${check.blocking.length} use(s) in client manifests; nothing was written.\n` +
        `Keep the old field/argument (deprecate it first), or, if the break is intended, rerun with ` +
        `--allow-breaking=${clients} and update those clients' operations.`,
    );
    return false;
  }
  if (check.clients > 0) {
    console.log(
      `client manifests: ${check.operations} operation(s) of ${check.clients} client(s) still valid.`,
    );
  }
  return true;
}

if (require.main === module) {
  const dir = resolve(option('schema-dir') ?? schemaDir);
  const target = join(dir, 'supergraph.graphql');
  const sdl = composeSupergraph(dir);
  const previousSdl = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  // CI compares with the branch's base (`--against=origin/main`): the checked-in file already is the new one.
  const against = option('against');
  let check: ClientCheck;
  try {
    check = checkClientManifests({
      supergraphSdl: sdl,
      previousSdl: against ? supergraphAt(against) : previousSdl,
      clientsDir: resolve(option('clients-dir') ?? join(dir, 'clients')),
      allowBreaking: listOf(option('allow-breaking') ?? process.env.COMPOSE_ALLOW_BREAKING),
    });
  } catch (error) {
    // A malformed manifest or a mistyped --allow-breaking: named, nothing written.
    console.error((error as Error).message);
    process.exit(1);
  }
  const clientsOk = reportClients(check);
  if (process.argv.includes('--check')) {
    if (previousSdl !== sdl) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit it.');
      process.exit(1);
    }
    if (!clientsOk) process.exit(1);
    console.log('schema/supergraph.graphql is up to date.');
  } else {
    if (!clientsOk) process.exit(1);
    writeFileSync(target, sdl);
    console.log(`wrote ${target}`);
  }
}
