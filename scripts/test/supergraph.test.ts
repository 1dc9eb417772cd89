import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { subgraphCatalog } from '@flow/core';
import { composeSupergraph, schemaDir, supergraphPath } from '../compose';

describe('supergraph composition', () => {
  it('composes every subgraph without errors', () => {
    expect(() => composeSupergraph()).not.toThrow();
  });

  it('matches the checked-in schema/supergraph.graphql (run `npm run compose` after editing an SDL)', () => {
    expect(readFileSync(supergraphPath, 'utf8')).toBe(composeSupergraph());
  });

  it('reports a broken subgraph as a composition error', () => {
    const broken: { name: string; url: string; typeDefs: ReturnType<typeof parse> }[] = subgraphCatalog.map(
      ({ name }) => ({
        name,
        url: 'http://127.0.0.1/graphql',
        typeDefs: parse(readFileSync(join(schemaDir, `${name}.graphql`), 'utf8')),
      }),
    );
    broken.push({
      name: 'clash',
      url: 'http://127.0.0.1/graphql',
      typeDefs: parse(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"]) type Organization @key(fields: "id") { id: ID! name: Int! }',
      ),
    });
    expect(composeServices(broken).errors?.length).toBeGreaterThan(0);
  });
});
