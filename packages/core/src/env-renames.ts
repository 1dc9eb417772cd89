// Environment variables that were renamed: either name is read, the new one is documented.

export interface RenamedVariable {
  name: string;
  /** Still accepted, deprecated. */
  formerName: string;
}

export const RENAMED_VARIABLES: readonly RenamedVariable[] = [
  // It signs every call between Flow's processes (router to subgraph and subgraph to subgraph),
  // not only the router's.
  { name: 'INTERNAL_SIGNING_SECRET', formerName: 'ROUTER_SIGNING_SECRET' },
];

export interface RenamedSource {
  /** The environment with each renamed variable under the key the schema uses. */
  source: Record<string, string | undefined>;
  /** Both names set to different values. */
  problems: string[];
  /** The name to show in a problem about schema key `key`: the one the operator set. */
  label: (key: string) => string;
}

/**
 * Reads each renamed variable under whichever name the schema (`keys`) uses, from whichever name
 * is set; refuses both names set to different values, naming both.
 */
export function resolveRenamedVariables(
  keys: ReadonlySet<string>,
  source: Record<string, string | undefined>,
  renames: readonly RenamedVariable[] = RENAMED_VARIABLES,
): RenamedSource {
  const resolved = { ...source };
  const problems: string[] = [];
  const labels = new Map<string, string>();
  for (const { name, formerName } of renames) {
    const key = keys.has(name) ? name : keys.has(formerName) ? formerName : undefined;
    if (key === undefined) continue;
    const current = source[name];
    const former = source[formerName];
    if (current !== undefined && former !== undefined && current !== former) {
      problems.push(
        `${name} and ${formerName} are both set, to different values: set only ${name} (${formerName} is its former name)`,
      );
    }
    delete resolved[name];
    delete resolved[formerName];
    const value = current ?? former;
    if (value !== undefined) resolved[key] = value;
    labels.set(
      key,
      current !== undefined ? name : former !== undefined ? formerName : `${name} or ${formerName}`,
    );
  }
  return { source: resolved, problems, label: (key) => labels.get(key) ?? key };
}
