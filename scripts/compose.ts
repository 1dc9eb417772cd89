// Composes schema/<subgraph>.graphql into schema/supergraph.graphql (checked in).
// `npm run compose` writes it; `npm run compose -- --check` fails when the checked-in file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { defaultSubgraphUrl, subgraphCatalog } from '../packages/platform/src/subgraphs';

export const schemaDir = join(__dirname, '..', 'schema');
export const supergraphPath = join(schemaDir, 'supergraph.graphql');

export function composeSupergraph(): string {
  const services = subgraphCatalog.map(({ name }) => ({
    name,
    url: defaultSubgraphUrl(name),
    typeDefs: parse(readFileSync(join(schemaDir, `${name}.graphql`), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}

if (require.main === module) {
  const sdl = composeSupergraph();
  if (process.argv.includes('--check')) {
    if (readFileSync(supergraphPath, 'utf8') !== sdl) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit it.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
  } else {
    writeFileSync(supergraphPath, sdl);
    console.log(`wrote ${supergraphPath}`);
  }
}
