import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { generate } from '@graphql-codegen/cli';
import { Kind, parse, print, validate, visit, type DocumentNode } from 'graphql';
import ts from 'typescript';
import {
  calleeSdlPath,
  clientCodegenTarget,
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

/** The typed documents codegen writes for `set`, from the given SDL and operation files. */
async function generateClient(set: ClientOperations, sdl: string, documents: string[]): Promise<string> {
  const [output] = (await generate(
    { silent: true, cwd: repoRoot, generates: { [set.output]: clientCodegenTarget(set, sdl, documents) } },
    false,
  )) as { content: string }[];
  return output!.content;
}

/**
 * Type errors in `callerFile` (typechecked with its workspace's options) when the generated module
 * `generatedFile` holds `generated`: how the caller's typecheck goes after codegen ran on it.
 */
function typeErrors(
  workspace: string,
  callerFile: string,
  generatedFile: string,
  generated: string,
): string[] {
  const configPath = join(workspace, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configPath, ts.sys.readFile).config,
    ts.sys,
    workspace,
  );
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (file === generatedFile ? generated : readFile(file));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === generatedFile || fileExists(file);
  const program = ts.createProgram({ rootNames: [callerFile], options: config.options, host });
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(callerFile))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
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

  it('fails codegen while the caller’s operation still asks for the old name', async () => {
    const renamedSdl = join(dir, 'pricing.graphql');
    writeFileSync(renamedSdl, renameField(sdl, 'Offer', 'distanceKm', 'distanceKilometres'));
    await expect(generateClient(set, readFileSync(renamedSdl, 'utf8'), [operationFile])).rejects.toThrow(
      /Cannot query field "distanceKm" on type "Offer"/,
    );
  }, 60_000);

  it('fails the caller’s typecheck once the operation follows the new name', async () => {
    const renamedOperation = join(dir, 'compare-offers.graphql');
    const operation = readFileSync(operationFile, 'utf8');
    expect(operation).toMatch(/\bdistanceKm\b/);
    writeFileSync(renamedOperation, operation.replace(/\bdistanceKm\b/g, 'distanceKilometres'));
    const renamedSdl = renameField(sdl, 'Offer', 'distanceKm', 'distanceKilometres');

    const workspace = join(repoRoot, 'subgraphs/orders');
    const before = await generateClient(set, sdl, [operationFile]);
    const after = await generateClient(set, renamedSdl, [renamedOperation]);
    expect(before).toMatch(/distanceKm: number/);
    expect(after).toMatch(/distanceKilometres: number/);
    // The same caller, typechecked against both: clean before, broken where it reads the field.
    expect(typeErrors(workspace, callerFile, set.output, before)).toEqual([]);
    expect(typeErrors(workspace, callerFile, set.output, after)).toEqual([
      expect.stringMatching(/Property 'distanceKm' does not exist/),
    ]);
  }, 120_000);
});
