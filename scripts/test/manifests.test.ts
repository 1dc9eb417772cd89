import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supergraphPath } from '../compose';
import { clientNames, clientsDir, documentId, generateManifests, readClient } from '../lib/manifests';
import { partnerOperationsDoc, partnerOperationsPath } from '../lib/partner-operations';

const supergraph = () => readFileSync(supergraphPath, 'utf8');

describe('trusted document manifests', () => {
  it('match the checked-in schema/clients/*/manifest.json (run `npm run manifests` after editing an operation)', () => {
    const manifests = generateManifests(supergraph());
    expect(manifests.size).toBe(clientNames().length);
    expect(manifests.size).toBeGreaterThanOrEqual(3);
    for (const [path, text] of manifests) expect([path, readFileSync(path, 'utf8')]).toEqual([path, text]);
  });

  it("the partner guide's operation list is current, with every partner operation and no first-party one", () => {
    const doc = partnerOperationsDoc();
    expect(readFileSync(partnerOperationsPath, 'utf8')).toBe(doc);
    for (const name of clientNames()) {
      const partner = readClient(join(clientsDir, name), name).kind === 'partner';
      const manifest = JSON.parse(readFileSync(join(clientsDir, name, 'manifest.json'), 'utf8')) as {
        operations: { id: string; name: string }[];
      };
      for (const operation of manifest.operations) expect(doc.includes(operation.id)).toBe(partner);
    }
  });

  it('ids are the SHA-256 of each body as written', () => {
    for (const text of generateManifests(supergraph()).values()) {
      const manifest = JSON.parse(text) as { operations: { id: string; body: string }[] };
      for (const operation of manifest.operations) expect(operation.id).toBe(documentId(operation.body));
    }
  });

  describe('on a copy of the clients', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'flow-clients-'));
      cpSync(clientsDir, root, { recursive: true });
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('reformatting an operation file changes no id', () => {
      const file = join(root, 'hospital-erp', 'operations', 'order.graphql');
      const before = generateManifests(supergraph(), root);
      writeFileSync(file, `# reformatted\n${readFileSync(file, 'utf8').replace(/\n\s*/g, ' ')}`);
      expect(generateManifests(supergraph(), root)).toEqual(
        new Map([...before].map(([path, text]) => [path, text])),
      );
    });

    it('an operation the schema does not have fails, naming the client, the file and the operation', () => {
      writeFileSync(
        join(root, 'logistics-integrator', 'operations', 'broken.graphql'),
        'query LogisticsBroken { orders { edges { node { id weightKg } } } }',
      );
      expect(() => generateManifests(supergraph(), root)).toThrow(
        /schema\/clients\/logistics-integrator\/operations\/broken\.graphql: logistics-integrator operation LogisticsBroken: Cannot query field "weightKg"/,
      );
    });

    it('an anonymous operation or a bad client.json is refused', () => {
      writeFileSync(join(root, 'flow-web', 'operations', 'anonymous.graphql'), '{ me { id } }');
      expect(() => generateManifests(supergraph(), root)).toThrow(/every operation must be named/);
      rmSync(join(root, 'flow-web', 'operations', 'anonymous.graphql'));
      writeFileSync(
        join(root, 'flow-web', 'client.json'),
        '{"name":"flow-web","kind":"x","documents":"arbitrary"}',
      );
      expect(() => generateManifests(supergraph(), root)).toThrow(/"kind" must be one of/);
    });
  });
});
