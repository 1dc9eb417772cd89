// Declarative authorization: @authenticated and @requiresScopes from the supergraph, enforced by
// the router on the whole operation before any subgraph is called.
//
// Semantics (conservative: when in doubt, require more):
// - a requirement on a field applies when the field is selected;
// - a requirement on a type (object, interface, scalar, enum) applies to every field that
//   returns it, to every field selected on it, and to fragments whose type condition is it;
// - a field selected on an interface also carries the requirements of that field (and type) on
//   every implementation, since the data may come from any of them;
// - @skip/@include are ignored: a protected field is refused even when it would be skipped.
// @requiresScopes(scopes: [[a, b], [c]]) means (a AND b) OR c.
import {
  GraphQLError,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ConstDirectiveNode,
} from 'graphql';
import { HeaderMap } from '@apollo/server';
import { ErrorCode, type Viewer } from '@flow/core';

export type Requirement = { kind: 'authenticated' } | { kind: 'scopes'; anyOf: string[][] };

/** Requirements by schema coordinate: `Type` or `Type.field`. */
export type AuthRequirements = ReadonlyMap<string, readonly Requirement[]>;

/** The names the supergraph uses for the directives (a @link can rename them with `as:`). */
export interface DirectiveNames {
  authenticated: string | null;
  requiresScopes: string | null;
}

function parseScopes(directive: ConstDirectiveNode, coordinate: string): string[][] {
  const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
  const value: unknown = arg ? valueFromASTUntyped(arg.value) : undefined;
  const valid =
    Array.isArray(value) &&
    value.every((inner) => Array.isArray(inner) && inner.every((scope) => typeof scope === 'string'));
  if (!valid) throw new Error(`@requiresScopes on ${coordinate} needs scopes: [[String!]!]!`);
  return value as string[][];
}

function requirementsOf(
  directives: readonly ConstDirectiveNode[] | undefined,
  names: DirectiveNames,
  coordinate: string,
): Requirement[] {
  const found: Requirement[] = [];
  for (const directive of directives ?? []) {
    if (names.authenticated && directive.name.value === names.authenticated)
      found.push({ kind: 'authenticated' });
    if (names.requiresScopes && directive.name.value === names.requiresScopes) {
      found.push({ kind: 'scopes', anyOf: parseScopes(directive, coordinate) });
    }
  }
  return found;
}

/** Collects every @authenticated / @requiresScopes of a supergraph SDL by schema coordinate. */
export function extractRequirements(document: DocumentNode, names: DirectiveNames): AuthRequirements {
  const map = new Map<string, Requirement[]>();
  const add = (coordinate: string, found: Requirement[]) => {
    if (found.length > 0) map.set(coordinate, [...(map.get(coordinate) ?? []), ...found]);
  };
  if (!names.authenticated && !names.requiresScopes) return map;
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const typeName = definition.name.value;
        add(typeName, requirementsOf(definition.directives, names, typeName));
        for (const field of definition.fields ?? []) {
          const coordinate = `${typeName}.${field.name.value}`;
          add(coordinate, requirementsOf(field.directives, names, coordinate));
        }
        break;
      }
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        add(definition.name.value, requirementsOf(definition.directives, names, definition.name.value));
        break;
      default:
        break;
    }
  }
  return map;
}

export interface Violation {
  /** Response path of the offending selection, e.g. `me.organization.users`. */
  path: string;
  /** The schema coordinate that carries the requirement, e.g. `Query.organizations`. */
  coordinate: string;
  requirement: Requirement;
}

export function isSatisfied(requirement: Requirement, viewer: Viewer | null): boolean {
  if (!viewer) return false;
  if (requirement.kind === 'authenticated') return true;
  return requirement.anyOf.some((all) => all.every((scope) => viewer.scopes.includes(scope)));
}

/** Enough to explain a refusal; bounded so that fragments spread at many paths stay cheap. */
const MAX_VIOLATIONS = 50;

/** Violations without duplicates (a fragment spread twice at one path), at most MAX_VIOLATIONS. */
class Collector {
  readonly items: Violation[] = [];
  private readonly seen = new Set<string>();

  add(violation: Violation) {
    if (this.items.length >= MAX_VIOLATIONS) return;
    const key = `${violation.path}\u0000${violation.coordinate}\u0000${JSON.stringify(violation.requirement)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(violation);
  }
}

/** The operation's selections that the viewer may not make; empty when it may run. */
export function findViolations(options: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  requirements: AuthRequirements;
  viewer: Viewer | null;
}): Violation[] {
  const { schema, document, operation, requirements, viewer } = options;
  if (requirements.size === 0) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  const check = (coordinate: string, path: string, out: Collector) => {
    for (const requirement of requirements.get(coordinate) ?? []) {
      if (!isSatisfied(requirement, viewer)) out.add({ path, coordinate, requirement });
    }
  };
  const checkType = (type: GraphQLNamedType, path: string, out: Collector) => {
    check(type.name, path, out);
    // Selecting through an interface may return any implementation.
    if (isAbstractType(type))
      for (const possible of schema.getPossibleTypes(type)) check(possible.name, path, out);
  };

  // Violations inside a fragment, with paths relative to where it is spread: computed once per
  // fragment, so a fragment spread many times costs one walk.
  const fragmentMemo = new Map<string, Violation[]>();
  const inProgress = new Set<string>();

  const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

  const walk = (
    selectionSet: SelectionSetNode,
    parentType: GraphQLCompositeType,
    path: string,
    out: Collector,
  ) => {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          const name = selection.name.value;
          if (name.startsWith('__')) break; // __typename, __schema, __type: no requirements
          const fieldPath = join(path, selection.alias?.value ?? name);
          check(parentType.name, fieldPath, out);
          check(`${parentType.name}.${name}`, fieldPath, out);
          if (isAbstractType(parentType)) {
            for (const possible of schema.getPossibleTypes(parentType)) {
              check(possible.name, fieldPath, out);
              check(`${possible.name}.${name}`, fieldPath, out);
            }
          }
          if (!isObjectType(parentType) && !isInterfaceType(parentType)) break;
          const field = parentType.getFields()[name];
          if (!field) break; // validation already refused unknown fields
          const returnType = getNamedType(field.type);
          checkType(returnType, fieldPath, out);
          if (selection.selectionSet && isCompositeType(returnType))
            walk(selection.selectionSet, returnType, fieldPath, out);
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const type = selection.typeCondition
            ? schema.getType(selection.typeCondition.name.value)
            : parentType;
          if (!type || !isCompositeType(type)) break;
          if (type !== parentType) checkType(type, path, out);
          walk(selection.selectionSet, type, path, out);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || inProgress.has(name)) break;
          const type = schema.getType(fragment.typeCondition.name.value);
          if (!type || !isCompositeType(type)) break;
          if (type !== parentType) checkType(type, path, out);
          let relative = fragmentMemo.get(name);
          if (!relative) {
            inProgress.add(name);
            const collector = new Collector();
            walk(fragment.selectionSet, type, '', collector);
            inProgress.delete(name);
            relative = collector.items;
            fragmentMemo.set(name, relative);
          }
          for (const violation of relative)
            out.add({ ...violation, path: violation.path ? join(path, violation.path) : path });
          break;
        }
      }
    }
  };

  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return [];
  const violations = new Collector();
  walk(operation.selectionSet, rootType, '', violations);
  return violations.items;
}

const MAX_LISTED = 10;

function describe(requirement: Requirement): string {
  return requirement.kind === 'authenticated'
    ? 'a signed-in user'
    : requirement.anyOf.map((all) => (all.length === 1 ? all[0] : `(${all.join(' and ')})`)).join(' or ') ||
        'no one';
}

/**
 * One error for the whole operation: UNAUTHENTICATED (HTTP 401) for an anonymous caller, FORBIDDEN
 * (HTTP 403) for a signed-in one, naming every offending field path.
 */
export function authorizationError(violations: readonly Violation[], viewer: Viewer | null): GraphQLError {
  const byPath = new Map<string, Violation[]>();
  for (const violation of violations)
    byPath.set(violation.path, [...(byPath.get(violation.path) ?? []), violation]);
  const paths = [...byPath.keys()];
  const listed =
    paths.slice(0, MAX_LISTED).join(', ') +
    (paths.length > MAX_LISTED ? `, and ${paths.length - MAX_LISTED} more` : '');
  const fields = paths.slice(0, MAX_LISTED).map((path) => {
    const found = byPath.get(path) ?? [];
    const scopes = found.flatMap((v) => (v.requirement.kind === 'scopes' ? [v.requirement.anyOf] : []));
    return {
      path,
      coordinate: found[0]?.coordinate,
      ...(viewer && scopes.length > 0 ? { requiresScopes: scopes } : {}),
    };
  });
  if (!viewer) {
    return new GraphQLError(`You must be signed in to query ${listed}.`, {
      extensions: {
        code: ErrorCode.UNAUTHENTICATED,
        fields,
        http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer']]) },
      },
    });
  }
  const first = byPath.get(paths[0] ?? '')?.[0];
  const hint = first ? ` (${first.coordinate} requires ${describe(first.requirement)})` : '';
  return new GraphQLError(`You are not allowed to query ${listed}${hint}.`, {
    extensions: { code: ErrorCode.FORBIDDEN, fields, http: { status: 403 } },
  });
}
