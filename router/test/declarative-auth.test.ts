// Unit tests: requirement extraction from the supergraph, the gateway copy, enforcement, limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { buildSchema, getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { scopesForRole, subgraphCatalog, type Role, type Viewer } from '@flow/core';
import {
  authorizationError,
  extractRequirements,
  findViolations,
  type AuthRequirements,
} from '../src/auth/declarative';
import { measureOperation } from '../src/budget';
import { prepareSupergraph, UnsupportedSupergraphError } from '../src/supergraph';
import { repositoryRoot, silentLogger, usersOnlySupergraphSdl } from './support';

// The users part of the supergraph: the cases below edit its text to build broken variants.
const supergraphSdl = usersOnlySupergraphSdl();
const checkedInSupergraph = readFileSync(join(repositoryRoot, 'schema', 'supergraph.graphql'), 'utf8');

const viewer = (scopes: string[]): Viewer => ({
  userId: 'u1',
  organizationId: 'o1',
  organizationKind: 'HOSPITAL',
  role: 'HOSPITAL_STAFF',
  scopes,
  tokenId: undefined,
});
const viewerWithRole = (role: Role) => ({ ...viewer(scopesForRole(role)), role });

describe('prepareSupergraph on the checked-in schema/supergraph.graphql', () => {
  it('enforces what every subgraph declares and lists every subgraph of the catalog', () => {
    const prepared = prepareSupergraph(checkedInSupergraph);
    expect(prepared.subgraphs.map((s) => s.name).sort()).toEqual(subgraphCatalog.map((s) => s.name).sort());
    expect(prepared.requirements.get('Mutation.createSite')).toEqual([
      { kind: 'scopes', anyOf: [['org:admin']] },
    ]);
    expect(prepared.requirements.get('Query.compareOffers')).toEqual([{ kind: 'authenticated' }]);
    // Only the gateway's own security feature keeps its purpose: @inaccessible, which hides
    // inventory's heldReservations (the orders service's call) from the public API.
    expect(prepared.gatewaySdl.match(/for: SECURITY\)/g)).toEqual(['for: SECURITY)']);
    expect(prepared.gatewaySdl).toContain(
      '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
    );
  });
});

describe('prepareSupergraph on the users supergraph', () => {
  const prepared = prepareSupergraph(supergraphSdl);

  it('extracts @authenticated and @requiresScopes by schema coordinate', () => {
    expect(prepared.requirements.get('Query.organization')).toEqual([{ kind: 'authenticated' }]);
    expect(prepared.requirements.get('Query.organizations')).toEqual([
      { kind: 'scopes', anyOf: [['platform:admin']] },
    ]);
    expect(prepared.requirements.get('Mutation.inviteUser')).toEqual([
      { kind: 'scopes', anyOf: [['org:admin']] },
    ]);
    expect(prepared.requirements.get('Mutation.approveOrganization')).toEqual([
      { kind: 'scopes', anyOf: [['platform:admin']] },
    ]);
    expect(prepared.requirements.get('Query.me')).toBeUndefined();
    expect(prepared.requirements.get('Mutation.login')).toBeUndefined();
  });

  it('removes `for: SECURITY` from exactly the features the router enforces', () => {
    expect(supergraphSdl).toMatch(/authenticated\/v0\.1", for: SECURITY/);
    expect(prepared.gatewaySdl).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1")');
    expect(prepared.gatewaySdl).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1")');
    expect(prepared.gatewaySdl).toContain('@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)');
    expect(prepared.gatewaySdl).not.toContain('SECURITY)');
    // The directive applications stay; only the purpose is gone.
    expect(prepared.gatewaySdl).toContain('@requiresScopes(scopes: [["platform:admin"]])');
  });

  it('lists the subgraphs of the join__Graph enum', () => {
    expect(prepared.subgraphs).toEqual([{ name: 'users', url: 'http://127.0.0.1:8001/graphql' }]);
  });

  it('is what @apollo/gateway needs: it refuses the original and loads the prepared copy', async () => {
    const refusing = new ApolloGateway({ supergraphSdl, logger: silentLogger() });
    await expect(refusing.load()).rejects.toThrow(/authenticated\/v0\.1 is for: SECURITY but is unsupported/);

    const accepting = new ApolloGateway({ supergraphSdl: prepared.gatewaySdl, logger: silentLogger() });
    const loaded = await accepting.load();
    expect(loaded.schema.getQueryType()?.getFields().organizations).toBeDefined();
    await accepting.stop();
  });
});

describe('prepareSupergraph refuses what it cannot enforce', () => {
  const withLink = (link: string) =>
    supergraphSdl.replace(
      '@link(url: "https://specs.apollo.dev/link/v1.0")',
      `@link(url: "https://specs.apollo.dev/link/v1.0")\n  ${link}`,
    );

  it('refuses @policy (not implemented)', () => {
    expect(() =>
      prepareSupergraph(withLink('@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)')),
    ).toThrow(/@policy is not implemented/);
  });

  it('refuses any other SECURITY or EXECUTION feature, naming it', () => {
    for (const purpose of ['SECURITY', 'EXECUTION']) {
      const sdl = withLink(`@link(url: "https://example.com/rateLimit/v0.1", for: ${purpose})`);
      expect(() => prepareSupergraph(sdl)).toThrow(UnsupportedSupergraphError);
      expect(() => prepareSupergraph(sdl)).toThrow(`https://example.com/rateLimit/v0.1 is for: ${purpose}`);
    }
  });

  it('accepts a feature without a purpose, and the gateway’s own ones (tag, inaccessible)', () => {
    expect(() => prepareSupergraph(withLink('@link(url: "https://example.com/docs/v0.1")'))).not.toThrow();
    expect(() =>
      prepareSupergraph(withLink('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)')),
    ).not.toThrow();
  });

  it('refuses an unknown version of an enforced feature', () => {
    const sdl = supergraphSdl.replace('authenticated/v0.1', 'authenticated/v0.2');
    expect(() => prepareSupergraph(sdl)).toThrow(/authenticated\/v0\.2: version v0\.2 is not implemented/);
  });

  it('follows a rename with `as:`', () => {
    const sdl = supergraphSdl
      .replace(
        '"https://specs.apollo.dev/authenticated/v0.1", for: SECURITY',
        '"https://specs.apollo.dev/authenticated/v0.1", as: "signedIn", for: SECURITY',
      )
      .replace('directive @authenticated on', 'directive @signedIn on')
      .replace(
        'organization(id: ID!): Organization @authenticated',
        'organization(id: ID!): Organization @signedIn',
      );
    const prepared = prepareSupergraph(sdl);
    expect(prepared.requirements.get('Query.organization')).toEqual([{ kind: 'authenticated' }]);
    expect(prepared.gatewaySdl).toContain(
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", as: "signedIn")',
    );
  });

  it('refuses malformed @requiresScopes arguments', () => {
    const sdl = supergraphSdl.replace(
      '@requiresScopes(scopes: [["org:admin"]])',
      '@requiresScopes(scopes: "org:admin")',
    );
    expect(() => prepareSupergraph(sdl)).toThrow(/Mutation\.inviteUser needs scopes/);
  });
});

describe('findViolations', () => {
  const sdl = `
    directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
    directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
    type Query {
      public: String
      payroll: Int @requiresScopes(scopes: [["hr:read", "org:admin"], ["platform:admin"]])
      node(id: ID!): Node
      doc: Doc
      secret: Secret
      search: [Result!]!
      email: Email
    }
    type Mutation { wipe: Boolean @requiresScopes(scopes: [["platform:admin"]]) }
    interface Node { id: ID! }
    type Doc implements Node { id: ID! title: String owner: String @authenticated }
    type Open implements Node { id: ID! }
    type Secret @authenticated { id: ID! }
    union Result = Doc | Secret
    scalar Email @requiresScopes(scopes: [["pii:read"]])
  `;
  const schema: GraphQLSchema = buildSchema(sdl);
  const requirements: AuthRequirements = extractRequirements(parse(sdl), {
    authenticated: 'authenticated',
    requiresScopes: 'requiresScopes',
  });

  const violations = (query: string, who: Viewer | null, operationName?: string) => {
    const document = parse(query);
    const operation = getOperationAST(document, operationName);
    if (!operation) throw new Error('no operation');
    return findViolations({ schema, document, operation, requirements, viewer: who }).map(
      (v) => `${v.path} ${v.coordinate}`,
    );
  };

  it('lets anyone read unprotected fields', () => {
    expect(violations('{ public node(id: 1) { id } doc { id title } }', null)).toEqual([]);
  });

  it('requires a viewer for @authenticated fields and types', () => {
    expect(violations('{ doc { owner } }', null)).toEqual(['doc.owner Doc.owner']);
    expect(violations('{ secret { id } }', null)).toEqual(['secret Secret', 'secret.id Secret']);
    expect(violations('{ doc { owner } secret { id } }', viewer([]))).toEqual([]);
  });

  it('treats @requiresScopes as OR of ANDs', () => {
    expect(violations('{ payroll }', viewer(['hr:read']))).toEqual(['payroll Query.payroll']);
    expect(violations('{ payroll }', viewer(['hr:read', 'org:admin']))).toEqual([]);
    expect(violations('{ payroll }', viewer(['platform:admin']))).toEqual([]);
    expect(violations('{ payroll }', null)).toEqual(['payroll Query.payroll']);
    expect(violations('{ email }', viewer([]))).toEqual(['email Email']);
  });

  it('reports response paths (aliases) through named fragments, nested fragments and inline fragments', () => {
    const query = `
      query Q { ...A me: doc { ...D } n: node(id: 1) { ... on Doc { who: owner } } }
      fragment A on Query { ...B }
      fragment B on Query { pay: payroll }
      fragment D on Doc { owner }
    `;
    expect(violations(query, null).sort()).toEqual([
      'me.owner Doc.owner',
      'n.who Doc.owner',
      'pay Query.payroll',
    ]);
    expect(violations(query, viewer([]))).toEqual(['pay Query.payroll']);
  });

  it('applies implementations’ requirements to fields selected through an interface or union', () => {
    expect(violations('{ search { __typename } }', null)).toEqual(['search Secret']);
    expect(violations('{ search { ... on Doc { title } } }', viewer([]))).toEqual([]);
  });

  it('checks only the selected operation, and mutations too', () => {
    const document = 'query Open { public } mutation Wipe { wipe }';
    expect(violations(document, viewerWithRole('HOSPITAL_ADMIN'), 'Open')).toEqual([]);
    expect(violations(document, viewerWithRole('HOSPITAL_ADMIN'), 'Wipe')).toEqual(['wipe Mutation.wipe']);
    expect(violations(document, viewerWithRole('PLATFORM_ADMIN'), 'Wipe')).toEqual([]);
  });

  it('walks a fragment spread many times only once', () => {
    const fragments = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const query = `{ ...F0 } ${fragments} fragment F30 on Query { payroll }`;
    const started = Date.now();
    expect(violations(query, null)).toEqual(['payroll Query.payroll']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('builds one error: UNAUTHENTICATED (401) for anonymous callers, FORBIDDEN (403) naming the scopes otherwise', () => {
    const document = parse('{ payroll doc { owner } }');
    const operation = getOperationAST(document)!;
    const anonymous = authorizationError(
      findViolations({ schema, document, operation, requirements, viewer: null }),
      null,
    );
    expect(anonymous.extensions.code).toBe('UNAUTHENTICATED');
    expect(anonymous.extensions.http).toMatchObject({ status: 401 });
    expect(anonymous.message).toBe('You must be signed in to query payroll, doc.owner.');

    const signedIn = viewer(['hr:read']);
    const forbidden = authorizationError(
      findViolations({ schema, document, operation, requirements, viewer: signedIn }),
      signedIn,
    );
    expect(forbidden.extensions.code).toBe('FORBIDDEN');
    expect(forbidden.extensions.http).toMatchObject({ status: 403 });
    expect(forbidden.message).toBe(
      'You are not allowed to query payroll (Query.payroll requires (hr:read and org:admin) or platform:admin).',
    );
  });
});

describe('measureOperation', () => {
  const measure = (query: string) => {
    const document = parse(query);
    return measureOperation(document, getOperationAST(document)!);
  };

  it('measures depth through fragments', () => {
    expect(measure('{ a }').depth).toBe(1);
    expect(measure('{ a { b { c } } }').depth).toBe(3);
    expect(measure('{ a { ...F } } fragment F on T { b { ... on T { c { d } } } }').depth).toBe(4);
  });

  it('does not count into introspection', () => {
    expect(measure('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }').depth).toBe(
      1,
    );
  });

  it('counts aliases once per expansion', () => {
    expect(measure('{ x: a y: a { z: b } }').aliases).toBe(3);
    expect(measure('{ a { ...F } b { ...F } } fragment F on T { p: x q: x }').aliases).toBe(4);
    const fragments = Array.from(
      { length: 20 },
      (_, i) => `fragment F${i} on T { a: x { ...F${i + 1} } b: x { ...F${i + 1} } }`,
    ).join('\n');
    expect(measure(`{ ...F0 } ${fragments} fragment F20 on T { x }`).aliases).toBe(2 ** 21 - 2);
  });
});
