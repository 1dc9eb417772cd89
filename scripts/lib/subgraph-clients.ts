// The operations one subgraph sends another, and how GraphQL Code Generator types them.
// A caller keeps each operation in subgraphs/<caller>/src/clients/<callee>/<name>.graphql; codegen
// types them against the callee's own schema (schema/<callee>.graphql as the callee serves it:
// federation's `_entities` included, @inaccessible fields too, since those are callable between
// subgraphs) into subgraphs/<caller>/src/generated/clients/<callee>.ts. A field renamed in the
// callee then fails `npm run generate` (the operation no longer validates) or, once the operation
// follows, the caller's typecheck.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { parse, printSchema } from 'graphql';

export const repoRoot = join(__dirname, '..', '..');

/** The operations one caller sends one callee. Paths are absolute. */
export interface ClientOperations {
  caller: string;
  callee: string;
  /** The `.graphql` files, one operation each. */
  files: string[];
  /** The typed documents codegen writes for them. */
  output: string;
}

/** Every caller/callee pair that has operations, found on disk under `root`. */
export function findClientOperations(root: string = repoRoot): ClientOperations[] {
  const subgraphsDir = join(root, 'subgraphs');
  const sets: ClientOperations[] = [];
  for (const caller of readdirSync(subgraphsDir).sort()) {
    const clientsDir = join(subgraphsDir, caller, 'src', 'clients');
    if (!existsSync(clientsDir)) continue;
    for (const entry of readdirSync(clientsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(clientsDir, entry.name);
      const files = readdirSync(dir)
        .filter((file) => file.endsWith('.graphql'))
        .sort()
        .map((file) => join(dir, file));
      if (files.length === 0) continue;
      sets.push({
        caller,
        callee: entry.name,
        files,
        output: join(subgraphsDir, caller, 'src', 'generated', 'clients', `${entry.name}.ts`),
      });
    }
  }
  return sets;
}

/** The callee's SDL file under `root`. */
export const calleeSdlPath = (callee: string, root: string = repoRoot): string =>
  join(root, 'schema', `${callee}.graphql`);

/** The schema a callee serves (its SDL plus what federation adds), printed for codegen. */
export function calleeSchemaText(sdl: string): string {
  return printSchema(buildSubgraphSchema(parse(sdl)));
}

/**
 * The codegen target for one set of operations. `sdl` is the callee's SDL text (a test passes an
 * edited one); `documents` defaults to the set's files.
 */
export function clientCodegenTarget(
  set: ClientOperations,
  sdl: string = readFileSync(calleeSdlPath(set.callee), 'utf8'),
  documents: string[] = set.files,
): CodegenConfig['generates'][string] {
  return {
    schema: calleeSchemaText(sdl),
    documents,
    plugins: ['typescript-operations', 'typed-document-node'],
    config: {
      useTypeImports: true,
      enumType: 'string-literal',
      skipTypename: true,
      // Every scalar crosses as JSON: DateTime as its ISO string, a representation as an object.
      scalars: { DateTime: 'string', _Any: '{ __typename: string; [field: string]: unknown }' },
      defaultScalarType: 'unknown',
    },
  };
}
