import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, print, validate, visit, type DocumentNode } from 'graphql';
import ts from 'typescript';
import {
  calleeSdlPath,
  findClientOperations,
  repoRoot,
  type ClientOperations,
} from '../lib/subgraph-clients';

// The operations subgraphs send each other are checked against the callee's schema before
// anything runs: they validate against it, and a field renamed there breaks the caller.

const sets = findClientOperations();
const pair = (caller: string, callee: string): ClientOperations => {
  const found = sets.find((set) => set.caller === caller && set.callee === callee);
  if (!found) throw new Error(`no operations from ${caller} to ${callee}`);
  return found;
};

describe('operations between subgraphs', () => {
  it('are found for every caller and callee', () => {
    expect(sets.map((set) => `${set.caller}->${set.callee}`)).toEqual([
      'inventory->locations',
      'orders->inventory',
      'orders->locations',
      'orders->payments',
      'orders->pricing',
      'orders->users',
      'pricing->inventory',
      'pricing->locations',
      'pricing->users',
    ]);
  });

  it.each(sets.map((set) => [`${set.caller} -> ${set.callee}`, set] as const))(
    '%s: every file holds one named operation that validates against the callee’s schema',
    (_, set) => {
      const schema = buildSubgraphSchema(parse(readFileSync(calleeSdlPath(set.callee), 'utf8')));
      for (const file of set.files) {
        const document = parse(readFileSync(file, 'utf8'));
        expect({ file, definitions: document.definitions.length }).toEqual({ file, definitions: 1 });
        const [operation] = document.definitions;
        expect(operation?.kind === Kind.OPERATION_DEFINITION && operation.name?.value).toBeTruthy();
        expect({ file, errors: validate(schema, document).map((e) => e.message) }).toEqual({
          file,
          errors: [],
        });
      }
    },
  );
});

/** The SDL with one field of one type renamed. */
function renameField(sdl: string, type: string, from: string, to: string): string {
  let renamed = false;
  const edited = visit(parse(sdl), {
    FieldDefinition(field, _key, _parent, _path, ancestors) {
      const owner = ancestors[ancestors.length - 1] as { kind: Kind; name?: { value: string } };
      if (owner.kind !== Kind.OBJECT_TYPE_DEFINITION || owner.name?.value !== type) return undefined;
      if (field.name.value !== from) return undefined;
      renamed = true;
      return { ...field, name: { ...field.name, value: to } };
    },
  });
  if (!renamed) throw new Error(`${type}.${from} is not in the SDL`);
  return print(edited as DocumentNode);
}

let runs = 0;

/**
 * Runs the codegen CLI, as `npm run generate` does, on `set` with the target codegen.ts uses but
 * the given SDL and operation files; the typed documents it wrote, or its complaint.
 */
function generateClient(dir: string, set: ClientOperations, sdl: string, documents: string[]) {
  const run = ++runs;
  const sdlFile = join(dir, `callee-${run}.graphql`);
  const output = join(dir, `generated-${run}.ts`);
  const configFile = join(dir, `codegen-${run}.ts`);
  writeFileSync(sdlFile, sdl);
  writeFileSync(
    configFile,
    [
      `import { readFileSync } from 'node:fs';`,
      `import { clientCodegenTarget } from ${JSON.stringify(join(repoRoot, 'scripts/lib/subgraph-clients'))};`,
      `const set = ${JSON.stringify(set)};`,
      `const target = clientCodegenTarget(set, readFileSync(${JSON.stringify(sdlFile)}, 'utf8'), ${JSON.stringify(documents)});`,
      `export default { overwrite: true, generates: { ${JSON.stringify(output)}: target } };`,
    ].join('\n'),
  );
  // Not NODE_ENV=test (jest's): the CLI would then say nothing, not even why it failed.
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', configFile],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1', NODE_ENV: 'development' },
    },
  );
  const ok = result.status === 0 && existsSync(output);
  return { ok, content: ok ? readFileSync(output, 'utf8') : '', log: `${result.stdout}${result.stderr}` };
}

/**
 * Typechecks `callerFile` with its workspace's options as it would be after codegen wrote
 * `generated` into `generatedFile`: the type errors in the caller. Later checks reuse the first
 * one's program, so only what changed is checked again.
 */
function callerTypecheck(workspace: string, callerFile: string, generatedFile: string) {
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(workspace, 'tsconfig.json'), ts.sys.readFile).config,
    ts.sys,
    workspace,
  );
  let generated = '';
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (file === generatedFile ? generated : readFile(file));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === generatedFile || fileExists(file);
  let program: ts.Program | undefined;
  return (content: string): string[] => {
    generated = content;
    program = ts.createProgram({
      rootNames: [callerFile],
      options: config.options,
      host,
      oldProgram: program,
    });
    return ts
      .getPreEmitDiagnostics(program, program.getSourceFile(callerFile))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };
}

describe('a field renamed in a callee', () => {
  const set = pair('orders', 'pricing');
  const operationFile = join(repoRoot, 'subgraphs/orders/src/clients/pricing/compare-offers.graphql');
  const callerFile = join(repoRoot, 'subgraphs/orders/src/clients/pricing/pricing-client.ts');
  const sdl = readFileSync(calleeSdlPath('pricing'), 'utf8');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flow-client-rename-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails codegen while the caller’s operation still asks for the old name', () => {
    const renamedSdl = renameField(sdl, 'Offer', 'distanceKm', 'distanceKilometres');
    const generated = generateClient(dir, set, renamedSdl, [operationFile]);
    expect(generated.ok).toBe(false);
    expect(generated.log).toMatch(/Cannot query field "distanceKm" on type "Offer"/);
  }, 90_000);

  it('fails the caller’s typecheck once the operation follows the new name', () => {
    const renamedOperation = join(dir, 'compare-offers.graphql');
    const operation = readFileSync(operationFile, 'utf8');
    expect(operation).toMatch(/\bdistanceKm\b/);
    writeFileSync(renamedOperation, operation.replace(/\bdistanceKm\b/g, 'distanceKilometres'));
    const renamedSdl = renameField(sdl, 'Offer', 'distanceKm', 'distanceKilometres');

    const before = generateClient(dir, set, sdl, [operationFile]);
    const after = generateClient(dir, set, renamedSdl, [renamedOperation]);
    expect([before.ok, after.ok]).toEqual([true, true]);
    expect(before.content).toMatch(/distanceKm: number/);
    expect(after.content).toMatch(/distanceKilometres: number/);
    // The same caller, typechecked against both: clean before, broken where it reads the field.
    const typeErrors = callerTypecheck(join(repoRoot, 'subgraphs/orders'), callerFile, set.output);
    expect(typeErrors(before.content)).toEqual([]);
    expect(typeErrors(after.content)).toEqual([
      expect.stringMatching(/Property 'distanceKm' does not exist/),
    ]);
  }, 180_000);
});
