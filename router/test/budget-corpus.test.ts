// The default budget must admit every operation Flow's own clients use. This collects every
// GraphQL operation written in the repository's tests, scripts (seed, benchmarks) and READMEs,
// keeps those valid against the supergraph's API schema (subgraph-only documents are not router
// operations), and checks each against the default limits; defaults keep a margin over the largest.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, validate, type DocumentNode } from 'graphql';
import ts from 'typescript';
import { admitOperation, measureOperation } from '../src/budget';
import { parseRouterConfig } from '../src/env';
import { prepareSupergraph } from '../src/supergraph';
import { repositoryRoot } from './support';

const supergraph = prepareSupergraph(
  readFileSync(join(repositoryRoot, 'schema', 'supergraph.graphql'), 'utf8'),
);
const schema = Supergraph.build(supergraph.gatewaySdl).apiSchema().toGraphQLJSSchema();
const budget = parseRouterConfig({}).limits;

/** Documents written to be refused (they test the limits themselves), by file. */
const DELIBERATELY_OVER: Record<string, RegExp> = {
  'router/test/router.test.ts': /m4: me/, // 36 aliases once expanded: the TOO_MANY_ALIASES test
  // The attacks of issue 10 item 1, which the budget must refuse.
  'router/test/budget.test.ts': /users\(first: 40\)/,
  'router/test/budget-router.test.ts': /users\(first: 40\)/,
};

const ROOTS = [
  'test',
  'scripts',
  'router/test',
  'subgraphs',
  'packages',
  'README.md',
  'router/README.md',
  // The client applications' trusted documents (partners run nothing else).
  'schema/clients',
];

function files(path: string): string[] {
  const full = join(repositoryRoot, path);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full).flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'generated' || entry.startsWith('.'))
      return [];
    const child = join(path, entry);
    const stat = statSync(join(repositoryRoot, child));
    if (stat.isDirectory()) return files(child);
    return /\.(ts|md|graphql)$/.test(entry) && !entry.endsWith('.d.ts') ? [join(repositoryRoot, child)] : [];
  });
}

/** String literals and templates (interpolations replaced by nothing) of a TypeScript file. */
function literals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node))
      found.push(node.head.text + node.templateSpans.map((span) => span.literal.text).join(''));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Fenced blocks and JSON `"query"` values of a Markdown file. */
function markdownSnippets(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const queries = [...text.matchAll(/"query"\s*:\s*"((?:[^"\\]|\\.)*)"/g)].map(
    (m) => JSON.parse(`"${m[1]}"`) as string,
  );
  return [...blocks, ...queries];
}

function operations(): { file: string; text: string; document: DocumentNode }[] {
  const seen = new Set<string>();
  const result: { file: string; text: string; document: DocumentNode }[] = [];
  for (const file of ROOTS.flatMap(files)) {
    const name = relative(repositoryRoot, file);
    const candidates = file.endsWith('.md')
      ? markdownSnippets(file)
      : file.endsWith('.graphql')
        ? [readFileSync(file, 'utf8').replace(/^(\s*#.*\n)+/, '')]
        : literals(file);
    for (const text of candidates) {
      if (!/^\s*(query|mutation|subscription|\{|fragment)/.test(text) || seen.has(text)) continue;
      let document: DocumentNode;
      try {
        document = parse(text);
      } catch {
        continue;
      }
      if (!document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION)) continue;
      if (validate(schema, document).length > 0) continue;
      if (DELIBERATELY_OVER[name]?.test(text)) continue;
      seen.add(text);
      result.push({ file: name, text, document });
    }
  }
  return result;
}

const corpus = operations();

it('finds the operations the apps, tests, seed and benchmarks use', () => {
  expect(corpus.length).toBeGreaterThan(50);
});

it('admits every one of them under the default budget, with margin', () => {
  const refused: string[] = [];
  let largest = { cost: 0, selections: 0, depth: 0, aliases: 0, fragmentSpreads: 0, directives: 0 };
  for (const { file, text, document } of corpus) {
    for (const operation of document.definitions) {
      if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
      try {
        admitOperation({ document, operation, schema }, budget, supergraph.costModel);
      } catch (error) {
        refused.push(`${file}: ${(error as Error).message}\n${text.slice(0, 300)}`);
      }
      const shape = measureOperation(document, operation, {
        schema,
        model: supergraph.costModel,
        defaultListSize: budget.defaultListSize,
      });
      largest = {
        cost: Math.max(largest.cost, shape.cost),
        selections: Math.max(largest.selections, shape.selections),
        depth: Math.max(largest.depth, shape.depth),
        aliases: Math.max(largest.aliases, shape.aliases),
        fragmentSpreads: Math.max(largest.fragmentSpreads, shape.fragmentSpreads),
        directives: Math.max(largest.directives, shape.directives),
      };
    }
  }
  expect(refused).toEqual([]);
  console.log(`${corpus.length} operations; largest: ${JSON.stringify(largest)}`);
  // Margin: the largest real operation uses at most two thirds of the cost limit, half of the others.
  expect(largest.cost * 1.5).toBeLessThanOrEqual(budget.maxCost);
  expect(largest.selections * 2).toBeLessThanOrEqual(budget.maxSelections);
  expect(largest.fragmentSpreads * 2).toBeLessThanOrEqual(budget.maxFragmentSpreads);
  expect(largest.directives * 2).toBeLessThanOrEqual(budget.maxDirectives);
});
