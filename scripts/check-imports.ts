// `npm run check:imports` (part of `npm test`'s checks): the import graph of every workspace has
// no cycle, between files (type-only imports included: they are still a knot to untie) or between
// packages, and no file reaches into another workspace's files instead of importing its package
// (or a subpath its exports map declares, such as `@flow/users/testing`).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');
const rel = (path: string) => relative(root, path).split(sep).join('/');

interface Workspace {
  name: string;
  dir: string;
}

function workspaces(): Workspace[] {
  const found: Workspace[] = [];
  for (const parent of ['packages', 'subgraphs']) {
    for (const entry of readdirSync(join(root, parent))) {
      const manifest = join(root, parent, entry, 'package.json');
      if (existsSync(manifest)) found.push({ name: readName(manifest), dir: join(root, parent, entry) });
    }
  }
  found.push({ name: readName(join(root, 'router', 'package.json')), dir: join(root, 'router') });
  return found;
}

function readName(manifest: string): string {
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name;
}

/** The subpaths (`./testing`) a workspace's exports map declares besides its index. */
function declaredSubpaths(workspace: Workspace): Set<string> {
  const manifest = JSON.parse(readFileSync(join(workspace.dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  return new Set(
    Object.keys(manifest.exports ?? {}).filter((key) => key.startsWith('./') && !key.includes('*')),
  );
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'generated' || entry === 'dist') return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      found.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return null;
}

const all = workspaces();
const byName = new Map(all.map((w) => [w.name, w]));
const workspaceOf = (file: string) => all.find((w) => file.startsWith(w.dir + sep));
const problems: string[] = [];

// Files: edges inside one workspace; reach-ins across workspaces are problems of their own.
const edges = new Map<string, string[]>();
const packageEdges = new Map<string, Set<string>>();
const extraRoots = ['scripts', 'test'].map((d) => join(root, d));
const files = [...all.flatMap((w) => sourceFiles(w.dir)), ...extraRoots.flatMap((d) => sourceFiles(d))];
for (const file of files) {
  const own = workspaceOf(file);
  const targets: string[] = [];
  for (const specifier of specifiers(file)) {
    if (specifier.startsWith('.')) {
      const target = resolveRelative(file, specifier);
      if (!target) continue;
      const theirs = workspaceOf(target);
      if (theirs && theirs !== own)
        problems.push(`${rel(file)} reaches into ${theirs.name} (${specifier}): import the package instead`);
      else targets.push(target);
      continue;
    }
    const match = /^(@flow\/[^/]+)(\/.*)?$/.exec(specifier);
    if (!match) continue;
    const [, name, subpath] = match;
    // A subpath is public only where the package's exports map declares it (`@flow/users/testing`).
    const declared = byName.has(name!) && declaredSubpaths(byName.get(name!)!).has(`.${subpath}`);
    if (subpath && !declared) problems.push(`${rel(file)} imports ${specifier}: import ${name} instead`);
    if (own && byName.has(name!) && name !== own.name && file.includes(`${sep}src${sep}`)) {
      const set = packageEdges.get(own.name) ?? new Set<string>();
      set.add(name!);
      packageEdges.set(own.name, set);
    }
  }
  edges.set(file, targets);
}

/** Tarjan's strongly connected components: every component of more than one node is a cycle. */
function cycles(graph: Map<string, Iterable<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const connect = (node: string) => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || [...(graph.get(node) ?? [])].includes(node)) found.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) connect(node);
  return found;
}

for (const component of cycles(edges))
  problems.push(`import cycle between files: ${component.map(rel).sort().join(', ')}`);
for (const component of cycles(packageEdges))
  problems.push(`import cycle between packages: ${component.sort().join(', ')}`);

if (problems.length) {
  for (const problem of problems) console.error(problem);
  console.error(`imports: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`imports: ${files.length} files, ${all.length} workspaces, no cycle, no reach-in`);
