// Reads the composed supergraph and prepares it for @apollo/gateway.
//
// The gateway refuses any @link(for: SECURITY | EXECUTION) feature it does not implement, which
// includes @authenticated and @requiresScopes: those are the router's job (Apollo's Rust router
// implements them; the JS gateway does not). So the router extracts their requirements itself,
// enforces them (auth/declarative.ts), and hands the gateway a copy of the supergraph where
// exactly those @link()s lose their `for:` purpose. Any other security or execution feature
// that neither the gateway nor the router implements stops the router: silently ignoring a
// security feature would serve fields that are meant to be protected.
import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';
import {
  Kind,
  parse,
  print,
  visit,
  valueFromASTUntyped,
  type ArgumentNode,
  type ConstDirectiveNode,
  type DocumentNode,
  type SchemaDefinitionNode,
  type SchemaExtensionNode,
} from 'graphql';
import { extractRequirements, type AuthRequirements, type DirectiveNames } from './auth/declarative';
import { readCostModel, type CostModel } from './budget/model';

/** Features whose directives the router enforces itself (identity without version -> versions). */
const ENFORCED_FEATURES: Record<string, { versions: string[]; directive: keyof DirectiveNames }> = {
  'https://specs.apollo.dev/authenticated': { versions: ['v0.1'], directive: 'authenticated' },
  'https://specs.apollo.dev/requiresScopes': { versions: ['v0.1'], directive: 'requiresScopes' },
};

/** Features that protect data and that this router does not implement yet: refuse to start. */
const REFUSED_FEATURES: Record<string, string> = {
  'https://specs.apollo.dev/policy':
    '@policy is not implemented by the Flow router; serving the graph would skip its checks',
};

export class UnsupportedSupergraphError extends Error {
  constructor(readonly problems: string[]) {
    super(`the supergraph cannot be served safely:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UnsupportedSupergraphError';
  }
}

export interface PreparedSupergraph {
  /** The SDL handed to @apollo/gateway (enforced features without their `for:` purpose). */
  gatewaySdl: string;
  requirements: AuthRequirements;
  /** @cost and @listSize (the gateway's API schema drops them): the operation budget's cost model. */
  costModel: CostModel;
  /** Subgraph names from the join__Graph enum, with the URL composition recorded. */
  subgraphs: { name: string; url: string }[];
}

interface LinkInfo {
  directive: ConstDirectiveNode;
  url: string;
  identity: string;
  name: string;
  version: string;
  as: string | undefined;
  purpose: string | undefined;
}

function argument(directive: ConstDirectiveNode, name: string): ArgumentNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name);
}

function linkInfo(directive: ConstDirectiveNode): LinkInfo | undefined {
  const urlArg = argument(directive, 'url');
  if (!urlArg || urlArg.value.kind !== Kind.STRING) return undefined;
  const url = urlArg.value.value;
  // https://specs.apollo.dev/<name>/v<major>.<minor>
  const match = /^(.*\/([^/]+))\/(v\d+\.\d+)\/?$/.exec(url);
  const asArg = argument(directive, 'as');
  const forArg = argument(directive, 'for');
  return {
    directive,
    url,
    identity: match?.[1] ?? url,
    name: match?.[2] ?? url,
    version: match?.[3] ?? '',
    as: asArg?.value.kind === Kind.STRING ? asArg.value.value : undefined,
    purpose: forArg?.value.kind === Kind.ENUM ? forArg.value.value : undefined,
  };
}

export function prepareSupergraph(sdl: string): PreparedSupergraph {
  const document = parse(sdl);
  const schemaNodes = document.definitions.filter(
    (d): d is SchemaDefinitionNode | SchemaExtensionNode =>
      d.kind === Kind.SCHEMA_DEFINITION || d.kind === Kind.SCHEMA_EXTENSION,
  );
  const links = schemaNodes
    .flatMap((node) => node.directives ?? [])
    .filter((d) => d.name.value === 'link')
    .map(linkInfo)
    .filter((l): l is LinkInfo => l !== undefined);

  const problems: string[] = [];
  const names: DirectiveNames = { authenticated: null, requiresScopes: null };
  const stripPurpose = new Set<ConstDirectiveNode>();

  for (const link of links) {
    const refused = REFUSED_FEATURES[link.identity];
    if (refused) {
      problems.push(`${link.url}: ${refused}`);
      continue;
    }
    const enforced = ENFORCED_FEATURES[link.identity];
    if (enforced) {
      if (!enforced.versions.includes(link.version)) {
        problems.push(
          `${link.url}: version ${link.version} is not implemented (known: ${enforced.versions.join(', ')})`,
        );
        continue;
      }
      names[enforced.directive] = link.as ?? link.name;
      if (link.purpose) stripPurpose.add(link.directive);
      continue;
    }
    if (
      (link.purpose === 'SECURITY' || link.purpose === 'EXECUTION') &&
      !DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES.has(`${link.identity}/${link.version}`)
    ) {
      problems.push(
        `${link.url} is for: ${link.purpose} and neither the gateway nor the router implements it`,
      );
    }
  }

  // A directive from the enforced specs used without its @link would otherwise go unnoticed.
  const linkedNames = new Set(links.map((l) => l.as ?? l.name));
  for (const spec of Object.values(ENFORCED_FEATURES)) {
    if (
      names[spec.directive] === null &&
      !linkedNames.has(spec.directive) &&
      usesDirective(document, spec.directive)
    ) {
      problems.push(`@${spec.directive} is used without a @link to its specification`);
    }
  }

  if (problems.length > 0) throw new UnsupportedSupergraphError(problems);

  const requirements = extractRequirements(document, names);

  const gatewayDocument = visit(document, {
    Directive(node) {
      if (!stripPurpose.has(node as ConstDirectiveNode)) return undefined;
      return { ...node, arguments: node.arguments?.filter((arg) => arg.name.value !== 'for') };
    },
  });

  return {
    gatewaySdl: print(gatewayDocument),
    requirements,
    costModel: readCostModel(document),
    subgraphs: joinGraphs(document),
  };
}

function usesDirective(document: DocumentNode, name: string): boolean {
  let used = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === name) used = true;
    },
  });
  return used;
}

/**
 * Why the file at `path` cannot be the router's supergraph (missing, unreadable, not GraphQL, no
 * join__Graph enum naming its subgraphs), or null. A start-up check: env.ts names the variable.
 */
export function supergraphFileProblem(path: string): string | null {
  let text: string;
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `file not found: ${path}` : `${path} cannot be read (${code ?? 'error'})`;
  }
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    return `${path} is not a GraphQL document (${(error as Error).message})`;
  }
  const graphs = joinGraphs(document);
  if (graphs.length === 0)
    return `${path} is not a composed supergraph (no join__Graph enum naming its subgraphs)`;
  return null;
}

/** The subgraphs (join__graph name and URL) of the supergraph file at `path`: read after supergraphFileProblem. */
export function supergraphFileSubgraphs(path: string): { name: string; url: string }[] {
  return joinGraphs(parse(readFileSync(path, 'utf8')));
}

function joinGraphs(document: DocumentNode): { name: string; url: string }[] {
  const graphs: { name: string; url: string }[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      if (!directive) continue;
      const args = Object.fromEntries(
        (directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]),
      );
      graphs.push({ name: String(args.name), url: String(args.url) });
    }
  }
  return graphs;
}
