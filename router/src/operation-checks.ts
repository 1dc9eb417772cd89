// The per-operation checks of the router plugin (gateway.ts) remembered per parsed operation:
// Apollo hands the same DocumentNode (and OperationDefinitionNode) for the same text, so a client
// repeating an operation is checked once per viewer kind, not once per request. Only what depends
// on nothing else is kept: the text check of an operation without variables, the declarative-auth
// violations per set of scopes (the schema and its requirements are fixed while they are cached).
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { findInvalidText, type Viewer } from '@flow/core';
import { findViolations, type AuthRequirements, type Violation } from './auth/declarative';

/** Distinct viewer kinds kept per operation before its entry is cleared. */
const MAX_VIEWER_KINDS = 32;

const invalidTexts = new WeakMap<OperationDefinitionNode, string | null>();
const violationsBySchema = new WeakMap<
  GraphQLSchema,
  WeakMap<OperationDefinitionNode, Map<string, Violation[]>>
>();

/** findInvalidText, remembered for an operation that declares no variables (nothing else varies). */
export function cachedInvalidText(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): string | null {
  if (operation.variableDefinitions?.length) return findInvalidText(document, operation, variables);
  const known = invalidTexts.get(operation);
  if (known !== undefined) return known;
  const found = findInvalidText(document, operation, variables);
  invalidTexts.set(operation, found);
  return found;
}

/** What of the viewer the requirements read: signed in or not, and its scopes. */
const viewerKind = (viewer: Viewer | null) =>
  viewer ? `scopes:${[...viewer.scopes].sort().join(' ')}` : 'anonymous';

/** findViolations, remembered per schema, operation and viewer kind. The array is shared: read it only. */
export function cachedViolations(options: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  requirements: AuthRequirements;
  viewer: Viewer | null;
}): readonly Violation[] {
  let bySchema = violationsBySchema.get(options.schema);
  if (!bySchema) violationsBySchema.set(options.schema, (bySchema = new WeakMap()));
  let byViewer = bySchema.get(options.operation);
  if (!byViewer) bySchema.set(options.operation, (byViewer = new Map()));
  const kind = viewerKind(options.viewer);
  const known = byViewer.get(kind);
  if (known) return known;
  const found = findViolations(options);
  if (byViewer.size >= MAX_VIEWER_KINDS) byViewer.clear();
  byViewer.set(kind, found);
  return found;
}
