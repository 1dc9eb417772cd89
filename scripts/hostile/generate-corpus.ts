// `npm run hostile:corpus`: writes test/hostile/corpus.json, the hostile corpus the CI test
// (test/hostile.test.ts) runs against a production-mode router. Deterministic: every random choice
// comes from one seeded generator, so running it again gives the same file (CI checks that).
// Big payloads are recipes ({ repeat, times }), expanded when the request is sent.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  CORPUS_PATH,
  expandText,
  type Corpus,
  type CorpusEntry,
  type GraphQLPayload,
  type Outcome,
  type Recipe,
  type Transport,
} from '../../test/hostile/corpus';

const SEED = 10;

/** mulberry32: small, fast, and the same sequence everywhere. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(SEED);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const entries: CorpusEntry[] = [];

interface Document {
  category: string;
  variant: string;
  graphql?: GraphQLPayload;
  http?: CorpusEntry['http'];
  frames?: Recipe[];
  auth?: 'user';
  outcome: Outcome;
  codes?: string[];
  absent?: string[];
  repeat?: number;
  /**
   * Default: POST and one other transport in turn (GET and SSE GET only for short queries and no
   * mutations); with `every`, each transport that can carry it.
   */
  transports?: Transport[];
  every?: boolean;
}

const ALL: Transport[] = ['post', 'get', 'sse-post', 'sse-get', 'ws'];
let turn = 0;

/** GET carries the document in the URL: Node refuses request heads over 16 KB before the router sees them. */
const fitsInUrl = (payload?: GraphQLPayload) =>
  !payload?.raw &&
  JSON.stringify(payload ?? {}).length < 2_000 &&
  expandText(payload?.query ?? '').length < 2_000;

function add(document: Document) {
  const isMutation = /^\s*mutation\b/.test(
    typeof document.graphql?.query === 'string' ? document.graphql.query : '',
  );
  const eligible =
    fitsInUrl(document.graphql) && !isMutation ? ALL : (['post', 'sse-post', 'ws'] as Transport[]);
  const transports =
    document.transports ??
    (document.every ? eligible : ['post' as const, eligible[1 + (turn++ % (eligible.length - 1))]!]);
  for (const transport of transports) {
    const entry: CorpusEntry = {
      id: `${document.category}/${document.variant}/${transport}`,
      category: document.category,
      transport,
      ...(document.auth ? { auth: document.auth } : {}),
      ...(document.graphql ? { graphql: document.graphql } : {}),
      ...(document.http ? { http: document.http } : {}),
      ...(document.frames ? { frames: document.frames } : {}),
      ...(document.repeat ? { repeat: document.repeat } : {}),
      expect: {
        outcome: document.outcome,
        ...(document.codes ? { codes: document.codes } : {}),
        ...(document.absent ? { absent: document.absent } : {}),
      },
    };
    entries.push(entry);
  }
}

const q = (query: Recipe, extra: Omit<GraphQLPayload, 'query'> = {}): GraphQLPayload => ({ query, ...extra });
const PARSE = ['GRAPHQL_PARSE_FAILED'];
const VALIDATION = ['GRAPHQL_VALIDATION_FAILED'];
const NO_SUGGESTIONS = ['Did you mean'];
const FAKE_ID = '00000000-0000-4000-8000-000000000000';
const COMPARE = `compareOffers(productId: "${FAKE_ID}", quantity: 1, siteId: "${FAKE_ID}") { vendor { id name } depot { id } total { amountMinor currency } }`;

// ---- baseline: what every client does, over every transport (the budget must accept it) ----------
add({
  category: 'baseline',
  variant: 'typename',
  graphql: q('{ __typename }'),
  outcome: 'accepted',
  every: true,
});
add({
  category: 'baseline',
  variant: 'me-anonymous',
  graphql: q('{ me { id } }'),
  outcome: 'accepted',
  every: true,
});
add({
  category: 'baseline',
  variant: 'me-user',
  auth: 'user',
  graphql: q('query Me { me { id name role organization { id name kind } } }', { operationName: 'Me' }),
  outcome: 'accepted',
  every: true,
});
add({
  category: 'baseline',
  variant: 'products',
  auth: 'user',
  graphql: q(
    'query ($n: Int) { products(first: $n) { edges { node { id name } } pageInfo { hasNextPage } } }',
    {
      variables: { n: 5 },
    },
  ),
  outcome: 'accepted',
});
add({
  category: 'baseline',
  variant: 'organization-users',
  auth: 'user',
  graphql: q('{ me { organization { users(first: 20) { edges { node { id name email } } totalCount } } } }'),
  outcome: 'accepted',
});

// ---- fragment bombs: each level spreads the one below `mult` times (the issue's item 1 is 2 x 20) --
function fragmentBomb(levels: number, mult: number, style: 'inline' | 'spread', leaf: 'typename' | 'me') {
  const parts = [
    leaf === 'typename' ? 'fragment F0 on Query { __typename }' : 'fragment F0 on Query { me { id } }',
  ];
  for (let level = 1; level <= levels; level++) {
    const below = `...F${level - 1}`;
    const copies = Array.from({ length: mult }, (_, i) =>
      style === 'inline' && i > 0 ? `... on Query { ${below} }` : below,
    );
    parts.push(`fragment F${level} on Query { ${copies.join(' ')} }`);
  }
  return `{ ...F${levels} } ${parts.join(' ')}`;
}
// Every default budget refuses well before 2^11 expanded selections (MAX_QUERY_SELECTIONS 1,000).
const bombOutcome = (expanded: number): Outcome =>
  expanded <= 8 ? 'accepted' : expanded >= 2 ** 11 ? 'refused' : 'answered';
for (const [mult, maxLevels] of [
  [2, 24],
  [3, 15],
  [4, 12],
  [8, 8],
  [16, 6],
] as const) {
  for (let levels = 1; levels <= maxLevels; levels++) {
    for (const style of ['inline', 'spread'] as const) {
      for (const leaf of ['typename', 'me'] as const) {
        // The issue's document keeps its plain name: the benchmark and the item-1 tests look for it.
        const variant =
          style === 'inline' && leaf === 'typename'
            ? `nested-${mult}x${levels}`
            : `${style}-${leaf}-${mult}x${levels}`;
        add({
          category: 'fragment-bomb',
          variant,
          graphql: q(fragmentBomb(levels, mult, style, leaf)),
          outcome: bombOutcome(mult ** levels),
          every: mult === 2 && levels >= 20,
        });
      }
    }
  }
}
// Wider: the same on User inside `me`, and on a list (users) for a signed-in admin.
for (let levels = 4; levels <= 22; levels += 2) {
  const parts = ['fragment U0 on User { id name email }'];
  for (let level = 1; level <= levels; level++)
    parts.push(`fragment U${level} on User { ...U${level - 1} ... on User { ...U${level - 1} } }`);
  add({
    category: 'fragment-bomb',
    variant: `user-list-2x${levels}`,
    auth: 'user',
    graphql: q(
      `{ me { organization { users(first: 20) { edges { node { ...U${levels} } } } } } } ${parts.join(' ')}`,
    ),
    // Selections count once whatever the list size; scalars cost nothing (the IBM cost model).
    outcome: bombOutcome(2 ** levels * 3),
  });
}

// ---- fragment cycles: refused by validation, never expanded ------------------------------------
for (const length of [1, 2, 3, 5, 10, 50, 200]) {
  for (const via of ['spread', 'inline'] as const) {
    const fragments = Array.from({ length }, (_, i) => {
      const next = `...C${(i + 1) % length}`;
      return `fragment C${i} on Query { __typename ${via === 'inline' ? `... on Query { ${next} }` : next} }`;
    });
    add({
      category: 'fragment-cycle',
      variant: `${via}-${length}`,
      graphql: q(`{ ...C0 } ${fragments.join(' ')}`),
      outcome: 'refused',
      codes: VALIDATION,
    });
  }
}
add({
  category: 'fragment-cycle',
  variant: 'unused-cycle',
  graphql: q('{ __typename } fragment A on Query { ...B } fragment B on Query { ...A }'),
  outcome: 'refused',
});
add({
  category: 'fragment-cycle',
  variant: 'cycle-and-bomb',
  graphql: q(
    `${fragmentBomb(20, 2, 'inline', 'typename')} fragment Z on Query { ...Y } fragment Y on Query { ...Z }`,
  ),
  outcome: 'refused',
});
add({
  category: 'fragment-cycle',
  variant: 'unknown-fragment',
  graphql: q('{ ...Missing }'),
  outcome: 'refused',
  codes: VALIDATION,
});

// ---- depth: real fields (me > organization > users > edges > node > organization ...) ----------
function deepUsers(depth: number, first: number) {
  const chain = ['organization', `users(first: ${first})`, 'edges', 'node'];
  // me (1) + depth - 2 fields of the chain + a leaf that exists where the chain stops (1)
  const fields = Array.from({ length: depth - 2 }, (_, i) => chain[i % 4]!);
  const last = fields[fields.length - 1] ?? 'me';
  let text = last.startsWith('users') ? 'totalCount' : last === 'edges' ? 'cursor' : 'id';
  for (const field of fields.reverse()) text = `${field} { ${text} }`;
  return `{ me { ${text} } }`;
}
for (let depth = 2; depth <= 40; depth++) {
  add({
    category: 'depth',
    variant: `users-chain-${depth}`,
    auth: 'user',
    graphql: q(deepUsers(depth, 1)),
    outcome: depth <= 6 ? 'accepted' : depth <= 15 ? 'answered' : 'refused',
  });
}
for (const depth of [16, 50, 100, 500, 1000, 2000, 3000]) {
  add({
    category: 'depth',
    variant: `unknown-fields-${depth}`,
    graphql: q({
      concat: [
        { repeat: '{ a ', times: depth },
        { repeat: '}', times: depth },
      ],
    }),
    outcome: 'refused',
  });
  add({
    category: 'depth',
    variant: `inline-fragments-${depth}`,
    graphql: q({
      concat: [
        '{ ',
        { repeat: '... on Query { ', times: depth },
        '__typename ',
        { repeat: '} ', times: depth },
        '}',
      ],
    }),
    outcome: depth >= 2000 ? 'refused' : 'answered',
  });
  add({
    category: 'depth',
    variant: `list-argument-${depth}`,
    auth: 'user',
    graphql: q({
      concat: [
        '{ products(first: ',
        { repeat: '[', times: depth },
        '1',
        { repeat: ']', times: depth },
        ') { totalCount } }',
      ],
    }),
    outcome: 'refused',
  });
  add({
    category: 'depth',
    variant: `object-argument-${depth}`,
    auth: 'user',
    graphql: q({
      concat: [
        '{ products(filter: ',
        { repeat: '{ a: ', times: depth },
        '1',
        { repeat: ' }', times: depth },
        ') { totalCount } }',
      ],
    }),
    outcome: 'refused',
  });
}
for (const depth of [100, 10_000, 50_000]) {
  add({
    category: 'depth',
    variant: `json-variables-${depth}`,
    http: {
      body: {
        concat: [
          '{"query":"{ __typename }","variables":{"v":',
          { repeat: '[', times: depth },
          { repeat: ']', times: depth },
          '}}',
        ],
      },
    },
    outcome: 'answered',
    transports: ['post', 'sse-post'],
  });
}

// ---- width ----------------------------------------------------------------------------------
for (const width of [10, 100, 1000]) {
  add({
    category: 'width',
    variant: `repeated-field-${width}`,
    graphql: q({ concat: ['{ me {', { repeat: ' id', times: width }, ' } }'] }),
    outcome: width <= 10 ? 'accepted' : 'answered',
  });
}
for (const width of [4000, 9000, 12_000, 40_000, 80_000]) {
  add({
    category: 'width',
    variant: `repeated-field-${width}`,
    graphql: q({ concat: ['{ me {', { repeat: ' id', times: width }, ' } }'] }),
    outcome: 'refused',
  });
}
for (const levels of [10, 14, 18]) {
  const parts = ['fragment W0 on Query { a: __typename b: __typename c: __typename d: __typename }'];
  for (let level = 1; level <= levels; level++)
    parts.push(`fragment W${level} on Query { ...W${level - 1} ...W${level - 1} }`);
  add({
    category: 'width',
    variant: `fragment-aliases-4x2^${levels}`,
    graphql: q(`{ ...W${levels} } ${parts.join(' ')}`),
    outcome: 'refused',
  });
}

// ---- aliases ---------------------------------------------------------------------------------
for (const count of [1, 10, 30, 31, 100, 1000, 3000]) {
  for (const field of ['__typename', 'me { id }'] as const) {
    add({
      category: 'aliases',
      variant: `${field === '__typename' ? 'typename' : 'me'}-${count}`,
      graphql: q(`{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`),
      outcome: count <= 30 ? 'accepted' : 'refused',
    });
  }
}

// ---- directives ------------------------------------------------------------------------------
for (const count of [2, 10, 100, 1000]) {
  add({
    category: 'directives',
    variant: `repeated-include-${count}`,
    graphql: q({ concat: ['{ __typename', { repeat: ' @include(if: true)', times: count }, ' }'] }),
    outcome: 'refused',
    // Over MAX_QUERY_DIRECTIVES (50) the budget refuses first, on the raw text.
    ...(count < 50 ? { codes: VALIDATION } : {}),
  });
}
for (const count of [1, 100, 2000]) {
  add({
    category: 'directives',
    variant: `unknown-${count}`,
    graphql: q({ concat: ['{ __typename', { repeat: ' @flowUnknown', times: count }, ' }'] }),
    outcome: 'refused',
  });
}
for (const count of [1, 5]) {
  add({
    category: 'directives',
    variant: `many-fields-${count}`,
    graphql: q({ concat: ['{ me {', { repeat: ' id @include(if: true)', times: count }, ' } }'] }),
    outcome: 'accepted',
  });
}
for (const count of [1000, 1400]) {
  add({
    category: 'directives',
    variant: `many-fields-${count}`,
    graphql: q({ concat: ['{ me {', { repeat: ' id @include(if: true)', times: count }, ' } }'] }),
    outcome: 'refused',
  });
}
add({
  category: 'directives',
  variant: 'wrong-location',
  graphql: q('query @include(if: true) { __typename }'),
  outcome: 'refused',
  codes: VALIDATION,
});
add({
  category: 'directives',
  variant: 'variable-condition',
  graphql: q('query ($on: Boolean!) { me @include(if: $on) { id } }', { variables: { on: false } }),
  outcome: 'accepted',
});
add({
  category: 'directives',
  variant: 'missing-variable',
  graphql: q('query ($on: Boolean!) { me @include(if: $on) { id } }'),
  outcome: 'refused',
});

// ---- long strings ----------------------------------------------------------------------------
for (const length of [1_000, 10_000, 100_000]) {
  add({
    category: 'long-strings',
    variant: `argument-anonymous-${length}`,
    graphql: q({ concat: ['{ organization(id: "', { repeat: 'x', times: length }, '") { id } }'] }),
    outcome: 'refused',
  });
  add({
    category: 'long-strings',
    variant: `argument-user-${length}`,
    auth: 'user',
    graphql: q({ concat: ['{ organization(id: "', { repeat: 'x', times: length }, '") { id } }'] }),
    outcome: 'answered',
  });
  add({
    category: 'long-strings',
    variant: `field-name-${length}`,
    graphql: q({ concat: ['{ ', { repeat: 'x', times: length }, ' }'] }),
    outcome: 'refused',
    absent: NO_SUGGESTIONS,
  });
  add({
    category: 'long-strings',
    variant: `operation-name-${length}`,
    graphql: q({ concat: ['query ', { repeat: 'X', times: length }, ' { __typename }'] }),
    outcome: 'answered',
  });
  add({
    category: 'long-strings',
    variant: `comment-${length}`,
    graphql: q({ concat: ['{ __typename #', { repeat: 'c', times: length }, '\n}'] }),
    outcome: 'answered',
  });
  add({
    category: 'long-strings',
    variant: `escapes-${length}`,
    graphql: q({
      concat: ['{ organization(id: "', { repeat: '\\u0000', times: length / 10 }, '") { id } }'],
    }),
    outcome: 'refused',
  });
}
for (const length of [300_000, 1_000_000, 5_000_000]) {
  add({
    category: 'long-strings',
    variant: `over-body-limit-${length}`,
    graphql: q({ concat: ['{ organization(id: "', { repeat: 'x', times: length }, '") { id } }'] }),
    outcome: 'refused',
  });
  add({
    category: 'long-strings',
    variant: `block-string-${length}`,
    graphql: q({ concat: ['{ organization(id: """', { repeat: 'y', times: length }, '""") { id } }'] }),
    outcome: 'refused',
  });
}
add({
  category: 'long-strings',
  variant: 'lone-surrogate',
  graphql: q('{ organization(id: "\\uD800") { id } }'),
  outcome: 'refused',
});

// ---- token counts ----------------------------------------------------------------------------
for (const tokens of [9_990, 10_001, 20_000, 60_000]) {
  add({
    category: 'tokens',
    variant: `typename-${tokens}`,
    graphql: q({ concat: ['{', { repeat: ' __typename', times: tokens - 2 }, ' }'] }),
    outcome: tokens <= 10_000 ? 'answered' : 'refused',
    // Above the body limit the size is refused first (PAYLOAD_TOO_LARGE / 1009).
    ...(tokens > 10_000 && tokens * 11 < 200_000 ? { codes: PARSE } : {}),
  });
  add({
    category: 'tokens',
    variant: `punctuation-${tokens}`,
    graphql: q({ concat: ['{ __typename ', { repeat: '! ', times: tokens }, '}'] }),
    outcome: 'refused',
    codes: PARSE,
  });
}
for (const commas of [10_000, 200_000]) {
  add({
    category: 'tokens',
    variant: `ignored-commas-${commas}`,
    graphql: q({ concat: ['{ __typename', { repeat: ',', times: commas }, ' }'] }),
    outcome: 'answered',
  });
}

// ---- syntax ----------------------------------------------------------------------------------
for (const text of [
  '',
  ' ',
  '{',
  '}',
  '{ }',
  'query',
  '{ __typename',
  'query Q(',
  '{ a(b: ) }',
  '"',
  '"""',
  '{ a: }',
  'fragment',
  '{ ...on }',
  '{ 1 }',
  '{ __typename @ }',
  '{ __typename(a: $) }',
  '\u0000',
  '{ __typename \u0007 }',
]) {
  add({
    category: 'syntax',
    variant: `text-${createHash('sha1').update(text).digest('hex').slice(0, 8)}`,
    graphql: q(text),
    outcome: 'refused',
  });
}
const VOCABULARY = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '...',
  '@',
  '!',
  '=',
  '|',
  '&',
  'query',
  'mutation',
  'fragment',
  'on',
  'me',
  'id',
  '__typename',
  '"s"',
  '1',
  '1.5',
  'true',
  'null',
];
for (let i = 0; i < 120; i++) {
  const tokens = Array.from({ length: int(3, 60) }, () => pick(VOCABULARY));
  // An unknown field makes every soup invalid whatever the other tokens happen to form.
  add({
    category: 'syntax',
    variant: `token-soup-${i}`,
    graphql: q(`${tokens.join(' ')} { zzUnknown${i} }`),
    outcome: 'refused',
    transports: i % 3 === 0 ? ['post', 'ws'] : ['post'],
  });
}

// ---- suggestions: production must not echo schema names ---------------------------------------
const REAL = [
  'me',
  'organization',
  'products',
  'compareOffers',
  'priceList',
  'sites',
  'nearestDepots',
  '__schema',
  'orders',
];
for (let i = 0; i < 150; i++) {
  const word = pick(REAL);
  const at = int(0, word.length - 1);
  const typo = word.slice(0, at) + pick(['x', 'q', '', 'ee', 'z']) + word.slice(at + 1);
  const nested = i % 2 === 1;
  add({
    category: 'suggestions',
    variant: `typo-${i}`,
    graphql: q(nested ? `{ me { ${typo}Field } }` : `{ ${typo === word ? `${typo}X` : typo} }`),
    outcome: 'refused',
    codes: VALIDATION,
    absent: NO_SUGGESTIONS,
    transports: i % 5 === 0 ? ['post', 'ws', 'sse-post'] : ['post'],
  });
}
add({
  category: 'suggestions',
  variant: 'argument',
  auth: 'user',
  graphql: q('{ products(frist: 1) { totalCount } }'),
  outcome: 'refused',
  codes: VALIDATION,
  absent: NO_SUGGESTIONS,
});
add({
  category: 'suggestions',
  variant: 'enum',
  auth: 'user',
  graphql: q('{ products(filter: { category: CYLINDERS }) { totalCount } }'),
  outcome: 'refused',
  absent: NO_SUGGESTIONS,
});

// ---- introspection: off in production, whatever its disguise ---------------------------------
for (const [variant, query] of [
  ['schema', '{ __schema { types { name } } }'],
  ['type', '{ __type(name: "User") { fields { name } } }'],
  ['aliased', '{ s: __schema { queryType { name } } }'],
  ['in-fragment', '{ ...I } fragment I on Query { __schema { types { name } } }'],
  ['inline', '{ ... on Query { __type(name: "Query") { name } } }'],
  ['deep', `{ __schema { types { fields { type { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } } } } }`],
  ['named', 'query IntrospectionQuery { __schema { directives { name } } }'],
] as const) {
  add({
    category: 'introspection',
    variant,
    graphql: q(query),
    outcome: 'refused',
    codes: VALIDATION,
    every: true,
  });
}

// ---- operation names -------------------------------------------------------------------------
for (const [variant, payload] of [
  ['unknown-name', q('query A { __typename }', { operationName: 'B' })],
  ['missing-name-two-ops', q('query A { __typename } query B { __typename }')],
  ['two-anonymous', q('{ __typename } { __typename }')],
  ['anonymous-and-named', q('{ __typename } query A { __typename }', { operationName: 'A' })],
  ['duplicate-names', q('query A { __typename } query A { me { id } }', { operationName: 'A' })],
  ['only-fragment', q('fragment F on Query { __typename }')],
] as const) {
  add({ category: 'operation-name', variant, graphql: payload, outcome: 'refused', every: true });
}
for (let i = 0; i < 40; i++) {
  const count = int(2, 500);
  add({
    category: 'operation-name',
    variant: `anonymous-${count}-${i}`,
    graphql: q({ repeat: '{ __typename } ', times: count }),
    outcome: 'refused',
    transports: i % 4 === 0 ? ['post', 'ws', 'sse-post'] : ['post'],
  });
}
// Apollo's HTTP handler checks the request's field types; the live transports take only strings.
for (const [variant, name] of [
  ['name-is-number', 123],
  ['name-is-object', { a: 1 }],
] as const) {
  add({
    category: 'operation-name',
    variant,
    graphql: q('query A { __typename }', { operationName: name }),
    outcome: 'refused',
    transports: ['post', 'get'],
  });
}
add({
  category: 'operation-name',
  variant: 'chosen-among-many',
  graphql: q('query A { __typename } query B { me { id } }', { operationName: 'B' }),
  outcome: 'accepted',
});

// ---- request shape: fields of the wrong type ----------------------------------------------------
for (const [variant, raw] of [
  ['query-number', { query: 1 }],
  ['query-object', { query: { a: 1 } }],
  ['query-array', { query: ['{ __typename }'] }],
  ['query-null', { query: null }],
  ['no-query', {}],
  ['variables-string', { query: '{ __typename }', variables: 'x' }],
  ['variables-array', { query: '{ __typename }', variables: [1] }],
  ['extensions-string', { query: '{ __typename }', extensions: 'x' }],
] as const) {
  add({
    category: 'request-shape',
    variant,
    graphql: { raw },
    outcome: 'refused',
    transports:
      variant.startsWith('query') || variant === 'no-query' ? ['post', 'sse-post', 'ws'] : ['post', 'ws'],
  });
}

// ---- APQ -------------------------------------------------------------------------------------
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const apq = (query: string | undefined, hash: string, version: unknown = 1): GraphQLPayload => ({
  ...(query === undefined ? {} : { query }),
  extensions: { persistedQuery: { version, sha256Hash: hash } },
});
// APQ belongs to Apollo's HTTP handler; the live transports take no persisted queries.
const APQ_TRANSPORTS: Transport[] = ['post', 'get'];
add({
  category: 'apq',
  variant: 'hash-mismatch',
  graphql: apq('{ __typename }', sha('{ me { id } }')),
  outcome: 'refused',
  transports: APQ_TRANSPORTS,
});
add({
  category: 'apq',
  variant: 'version-2',
  graphql: apq('{ __typename }', sha('{ __typename }'), 2),
  outcome: 'refused',
  transports: APQ_TRANSPORTS,
});
add({
  category: 'apq',
  variant: 'version-string',
  graphql: apq('{ __typename }', sha('{ __typename }'), 'x'),
  outcome: 'refused',
  transports: APQ_TRANSPORTS,
});
add({
  category: 'apq',
  variant: 'hash-number',
  graphql: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 5 } } },
  outcome: 'refused',
  transports: APQ_TRANSPORTS,
});
add({
  category: 'apq',
  variant: 'hash-garbage',
  graphql: apq('{ __typename }', 'not-a-hash'),
  outcome: 'refused',
  transports: APQ_TRANSPORTS,
});
for (let i = 0; i < 20; i++) {
  const hash = Array.from({ length: 64 }, () => pick([...'0123456789abcdef'])).join('');
  add({
    category: 'apq',
    variant: `not-found-${i}`,
    graphql: apq(undefined, hash),
    outcome: 'refused',
    transports: ['post', 'get'],
  });
}
add({
  category: 'apq',
  variant: 'register',
  graphql: apq('{ __typename }', sha('{ __typename }')),
  outcome: 'accepted',
  transports: ['post'],
});
const bomb20 = fragmentBomb(20, 2, 'inline', 'typename');
add({
  category: 'apq',
  variant: 'register-bomb',
  graphql: apq(bomb20, sha(bomb20)),
  outcome: 'refused',
  transports: ['post'],
});

// ---- argument ranges -------------------------------------------------------------------------
const SITE = `siteId: "${FAKE_ID}"`;
for (const [variant, literal, outcome] of [
  ['float-1.79e309', '1.79e309', 'refused'],
  ['float-huge-exponent', '1e99999999', 'refused'],
  ['float-negative-huge', '-1.79e309', 'refused'],
  ['float-tiny', '4.9e-325', 'answered'],
] as const) {
  add({
    category: 'argument-ranges',
    variant,
    auth: 'user',
    graphql: q(`{ nearestDepots(${SITE}, maxDistanceKm: ${literal}) { distanceKm } }`),
    outcome,
    every: true,
  });
}
add({
  category: 'argument-ranges',
  variant: 'float-variable-infinity',
  auth: 'user',
  http: {
    body: `{"query":"query ($d: Float) { nearestDepots(${SITE.replace(/"/g, '\\"')}, maxDistanceKm: $d) { distanceKm } }","variables":{"d":1e400}}`,
  },
  outcome: 'refused',
  transports: ['post', 'sse-post'],
});
for (const [variant, value, outcome] of [
  ['int-overflow', '2147483648', 'refused'],
  ['int-overflow-huge', '99999999999999999999999', 'refused'],
  ['int-min-overflow', '-2147483649', 'refused'],
  ['first-negative', '-1', 'answered'],
  ['first-zero', '0', 'answered'],
  ['first-huge', '1000000', 'refused'],
  ['first-max-int', '2147483647', 'refused'],
  ['first-float', '1.5', 'refused'],
  ['first-string', '"20"', 'refused'],
] as const) {
  add({
    category: 'argument-ranges',
    variant,
    auth: 'user',
    graphql: q(`{ products(first: ${value}) { edges { node { id } } } }`),
    outcome,
  });
}
for (const [variant, value] of [
  ['variable-int-overflow', 1e20],
  ['variable-int-float', 2.5],
  ['variable-int-string', 'abc'],
] as const) {
  add({
    category: 'argument-ranges',
    variant,
    auth: 'user',
    graphql: q('query ($n: Int) { products(first: $n) { totalCount } }', { variables: { n: value } }),
    outcome: 'refused',
  });
}
add({
  category: 'argument-ranges',
  variant: 'variable-first-huge',
  auth: 'user',
  graphql: q('query ($n: Int) { products(first: $n) { edges { node { id } } } }', {
    variables: { n: 1_000_000 },
  }),
  outcome: 'refused',
});

// ---- demand control: the issue's two measured attacks and their relatives -----------------------
for (const levels of [3, 4]) {
  for (const first of [40, 100]) {
    let inner = 'id name email';
    for (let level = 0; level < levels; level++)
      inner = `users(first: ${first}) { edges { node { ${level === 0 ? inner : `organization { ${inner} }`} } } }`;
    add({
      category: 'users-recursion',
      variant: `organization-users-${first}x${levels}`,
      auth: 'user',
      graphql: q(`{ me { organization { ${inner} } } }`),
      outcome: 'refused',
      every: true,
    });
  }
}
// Deeper recursion kept under the depth limit with fragments.
add({
  category: 'users-recursion',
  variant: 'organization-users-40x3-fragments',
  auth: 'user',
  graphql: q(
    '{ me { organization { ...O3 } } } fragment O0 on Organization { id } ' +
      [1, 2, 3]
        .map(
          (i) =>
            `fragment O${i} on Organization { users(first: 40) { edges { node { organization { ...O${i - 1} } } } } }`,
        )
        .join(' '),
  ),
  outcome: 'refused',
});
for (const count of [10, 20, 30]) {
  add({
    category: 'compare-offers',
    variant: `aliased-${count}`,
    auth: 'user',
    graphql: q(`{ ${Array.from({ length: count }, (_, i) => `o${i}: ${COMPARE}`).join(' ')} }`),
    outcome: count >= 30 ? 'refused' : 'answered',
    every: true,
  });
}
add({
  category: 'compare-offers',
  variant: 'aliased-30-fragments',
  auth: 'user',
  graphql: q(
    `{ ...C } fragment C on Query { ${Array.from({ length: 30 }, (_, i) => `o${i}: ${COMPARE}`).join(' ')} }`,
  ),
  outcome: 'refused',
});

// ---- transports: what each one may run ----------------------------------------------------------
add({
  category: 'transport',
  variant: 'subscription',
  auth: 'user',
  graphql: q('subscription { notificationAdded { id } }'),
  outcome: 'refused',
  transports: ['post', 'get'],
});
add({
  category: 'transport',
  variant: 'subscription-anonymous',
  graphql: q('subscription { notificationAdded { id } }'),
  outcome: 'refused',
  transports: ['post', 'get', 'sse-post', 'sse-get', 'ws'],
});
add({
  category: 'transport',
  variant: 'mutation-over-get',
  graphql: q('mutation { logout(refreshToken: "x") }'),
  outcome: 'refused',
  transports: ['get', 'sse-get'],
});
add({
  category: 'transport',
  variant: 'login-over-get',
  graphql: q('mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', {
    variables: { e: 'a@b.c', p: 'x' },
  }),
  outcome: 'refused',
  transports: ['get', 'sse-get'],
});
add({
  category: 'transport',
  variant: 'mutation-op-name-over-get',
  graphql: q('query Q { __typename } mutation M { logout(refreshToken: "x") }', { operationName: 'M' }),
  outcome: 'refused',
  transports: ['get', 'sse-get'],
});

// ---- WebSocket frames --------------------------------------------------------------------------
for (const [variant, frames] of [
  ['invalid-json', ['{']],
  ['not-object', ['[]']],
  ['unknown-type', ['{"type":"flow"}']],
  ['subscribe-no-id', ['{"type":"subscribe","payload":{"query":"{ __typename }"}}']],
  ['subscribe-no-payload', ['{"type":"subscribe","id":"1"}']],
  ['second-init', ['{"type":"connection_init"}']],
  [
    'duplicate-id',
    [
      '{"type":"subscribe","id":"1","payload":{"query":"subscription { notificationAdded { id } }"}}',
      '{"type":"subscribe","id":"1","payload":{"query":"{ __typename }"}}',
    ],
  ],
  ['invalid-utf8', [{ base64: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64') }]],
  [
    'over-body-limit-1mb',
    [
      {
        concat: [
          '{"type":"subscribe","id":"1","payload":{"query":"{ __typename',
          { repeat: ' ', times: 1_000_000 },
          '}"}}',
        ],
      },
    ],
  ],
  [
    'over-body-limit-8mb',
    [
      {
        concat: [
          '{"type":"subscribe","id":"1","payload":{"query":"{ __typename',
          { repeat: ' ', times: 8_000_000 },
          '}"}}',
        ],
      },
    ],
  ],
] as const) {
  add({
    category: 'ws-frames',
    variant,
    frames: frames as unknown as Recipe[],
    outcome: 'refused',
    transports: ['ws'],
  });
}

// ---- JSON batches ------------------------------------------------------------------------------
for (const count of [0, 1, 2, 10, 1000]) {
  add({
    category: 'batch',
    variant: `array-${count}`,
    http: {
      body:
        count === 0
          ? '[]'
          : {
              concat: [
                '[',
                { repeat: '{"query":"{ __typename }"},', times: count - 1 },
                '{"query":"{ __typename }"}]',
              ],
            },
    },
    outcome: 'refused',
    transports: ['post', 'sse-post'],
  });
}

// ---- invalid bytes and JSON -----------------------------------------------------------------------
for (const [variant, body] of [
  ['truncated', '{"query":"{ __typename }"'],
  ['trailing-garbage', '{"query":"{ __typename }"} x'],
  ['single-quotes', "{'query':'{ __typename }'}"],
  ['null', 'null'],
  ['string', '"{ __typename }"'],
  ['number', '42'],
  ['empty', ''],
  ['nan', '{"query":"{ __typename }","variables":{"a":NaN}}'],
  ['comment', '{"query":"{ __typename }" /* x */}'],
  ['duplicate-keys', '{"query":"{ __typename }","query":"{ __schema { types { name } } }"}'],
  ['nul-in-query', '{"query":"{ __typename \\u0000 }"}'],
  [
    'deep-array',
    {
      concat: [
        { repeat: '[', times: 100_000 },
        { repeat: ']', times: 100_000 },
      ],
    },
  ],
] as const) {
  add({
    category: 'invalid-json',
    variant,
    http: { body: body as Recipe },
    outcome: 'refused',
    transports: ['post', 'sse-post'],
  });
}
add({
  category: 'invalid-json',
  variant: 'bom',
  // RFC 8259 lets a parser ignore a byte order mark.
  http: { body: '\ufeff{"query":"{ __typename }"}' },
  outcome: 'answered',
  transports: ['post', 'sse-post'],
});
for (const [variant, bytes] of [
  ['utf8-invalid-in-query', [...Buffer.from('{"query":"{ __typename '), 0xff, 0xfe, ...Buffer.from(' }"}')]],
  ['utf8-overlong', [...Buffer.from('{"query":"{ '), 0xc0, 0xaf, ...Buffer.from(' }"}')]],
  ['utf8-surrogate', [...Buffer.from('{"query":"{ '), 0xed, 0xa0, 0x80, ...Buffer.from(' }"}')]],
  ['utf16le', [...Buffer.from('{"query":"{ __typename }"}', 'utf16le')]],
] as const) {
  add({
    category: 'invalid-bytes',
    variant,
    http: { body: { base64: Buffer.from(bytes).toString('base64') } },
    outcome: 'refused',
    transports: ['post', 'sse-post'],
  });
}
for (let i = 0; i < 60; i++) {
  const bytes = Buffer.from(Array.from({ length: int(1, 2000) }, () => int(0, 255)));
  add({
    category: 'invalid-bytes',
    variant: `random-${i}`,
    http: { body: { base64: bytes.toString('base64') } },
    outcome: 'refused',
    transports: i % 6 === 0 ? ['post', 'sse-post'] : ['post'],
  });
}
for (let i = 0; i < 40; i++) {
  // A valid request with one byte flipped: mostly invalid JSON, sometimes an invalid document.
  const text = Buffer.from('{"query":"{ zzUnknownField }"}');
  const at = int(0, text.length - 1);
  text[at] = int(0, 255);
  add({
    category: 'invalid-bytes',
    variant: `flipped-${i}`,
    http: { body: { base64: text.toString('base64') } },
    outcome: 'refused',
    transports: ['post'],
  });
}
add({
  category: 'invalid-bytes',
  variant: 'gzip-bomb-20mb',
  http: {
    headers: { 'content-encoding': 'gzip' },
    body: { gzip: { concat: ['{"query":"{ __typename', { repeat: ' ', times: 20_000_000 }, '}"}'] } },
  },
  outcome: 'refused',
  transports: ['post'],
});
add({
  category: 'invalid-bytes',
  variant: 'unknown-encoding',
  http: { headers: { 'content-encoding': 'br-flow' }, body: '{"query":"{ __typename }"}' },
  outcome: 'refused',
  transports: ['post'],
});

// ---- content types -------------------------------------------------------------------------------
const BODY = '{"query":"{ __typename }"}';
for (const [variant, type, outcome] of [
  ['json', 'application/json', 'accepted'],
  ['json-utf8', 'application/json; charset=utf-8', 'accepted'],
  ['json-latin1', 'application/json; charset=latin1', 'refused'],
  ['json-utf16', 'application/json; charset=utf-16', 'refused'],
  ['text-plain', 'text/plain', 'refused'],
  ['form', 'application/x-www-form-urlencoded', 'refused'],
  ['multipart', 'multipart/form-data; boundary=x', 'refused'],
  ['graphql', 'application/graphql', 'refused'],
  ['xml', 'application/xml', 'refused'],
  ['octet-stream', 'application/octet-stream', 'refused'],
  ['none', '', 'refused'],
  ['garbage', ';;;', 'refused'],
  ['vendor-json', 'application/vnd.flow+json', 'refused'],
] as const) {
  add({
    category: 'content-type',
    variant,
    http: { headers: { 'content-type': type }, body: BODY },
    outcome,
    transports: ['post'],
  });
}

// ---- CSRF-style requests: what a browser sends without a preflight --------------------------------
const LOGIN = '{"query":"mutation { login(email: \\"a@b.c\\", password: \\"x\\") { accessToken } }"}';
for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
  for (const transport of ['post', 'sse-post'] as const) {
    add({
      category: 'csrf',
      variant: `simple-${type.split(';')[0]!.replace('/', '-')}-login`,
      http: { headers: { 'content-type': type }, body: LOGIN },
      outcome: 'refused',
      transports: [transport],
    });
  }
}
for (const [variant, query] of [
  ['get-query', '{ __typename }'],
  ['get-mutation', 'mutation { logout(refreshToken: "x") }'],
] as const) {
  add({
    category: 'csrf',
    variant: `${variant}-no-preflight`,
    http: { headers: { 'apollo-require-preflight': '' }, search: `query=${encodeURIComponent(query)}` },
    outcome: 'refused',
    transports: ['get'],
  });
}
add({
  category: 'csrf',
  variant: 'sse-get-mutation-no-preflight',
  http: {
    headers: { 'apollo-require-preflight': '' },
    search: `query=${encodeURIComponent('mutation { logout(refreshToken: "x") }')}`,
  },
  outcome: 'refused',
  transports: ['sse-get'],
});

// ---- throttle: the limiter answers, and says when to come back --------------------------------
const LOGIN_ATTEMPT = q(
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
  {
    variables: { e: 'nobody@example.org', p: 'not-the-password' },
  },
);
for (const transport of ['post', 'sse-post', 'ws'] as const) {
  add({
    category: 'throttle',
    variant: 'login',
    graphql: LOGIN_ATTEMPT,
    repeat: 6,
    outcome: 'throttled',
    codes: ['RATE_LIMITED'],
    transports: [transport],
  });
}

// ---- fuzz: seeded variations of valid operations with one thing wrong --------------------------
const WRONG = [
  (f: string) => `${f} { zzUnknown }`,
  (f: string) => `${f}(zzArg: 1) { id }`,
  (f: string) => `${f} @zzUnknown { id }`,
  (f: string) => `${f} { id ...Undefined }`,
  (f: string) => `${f} { id(a: ) }`,
];
for (let i = 0; i < 300; i++) {
  const fields = Array.from({ length: int(0, 5) }, () => pick(['__typename', 'me { id }', 'me { name }']));
  const wrong = pick(WRONG)('me');
  fields.splice(int(0, fields.length), 0, wrong);
  const aliased = fields.map((f, n) => (random() < 0.3 ? `x${n}: ${f}` : f));
  add({
    category: 'fuzz',
    variant: `one-wrong-${i}`,
    graphql: q(`${random() < 0.5 ? `query Fuzz${i} ` : ''}{ ${aliased.join(' ')} }`),
    outcome: 'refused',
    absent: NO_SUGGESTIONS,
    transports: [pick(['post', 'post', 'get', 'sse-post', 'ws'] as const)],
  });
}

const corpus: Corpus = {
  description:
    'Hostile requests for the Flow router, generated by scripts/hostile/generate-corpus.ts (npm run hostile:corpus); run by test/hostile.test.ts. See test/hostile/README.md.',
  seed: SEED,
  entries,
};
const ids = new Set<string>();
for (const entry of entries) {
  if (ids.has(entry.id)) throw new Error(`duplicate corpus id ${entry.id}`);
  ids.add(entry.id);
}
// An output path as argument writes there instead (the test compares it with the committed file).
const output = process.argv[2] ?? CORPUS_PATH;
writeFileSync(output, `${JSON.stringify(corpus, null, 0).replace(/\},\{"id"/g, '},\n{"id"')}\n`);
const byOutcome = entries.reduce<Record<string, number>>((counts, e) => {
  counts[e.expect.outcome] = (counts[e.expect.outcome] ?? 0) + 1;
  return counts;
}, {});
console.log(`wrote ${entries.length} entries to ${output}: ${JSON.stringify(byOutcome)}`);
