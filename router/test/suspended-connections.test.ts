import { createLogger, SuspendedOrganizations, type Viewer } from '@flow/core';
import { SuspendedConnections } from '../src/auth/suspended-connections';

// A partner's live connection ends when its client application is revoked, as a person's does when
// the organization is suspended; the other applications of the organization keep theirs.
test("a revoked client application's connections end, its organization's others stay", async () => {
  let revoked: string[] = [];
  const list = new SuspendedOrganizations({
    load: async () => ({ organizationIds: [], revokedClientApplicationIds: revoked }),
    logger: createLogger('test', 'silent'),
    refreshMs: 60_000,
    failClosed: false,
  });
  await list.refresh();
  const connections = new SuspendedConnections(list);
  const partner = (id: string): Viewer => ({
    userId: id,
    organizationId: 'org',
    organizationKind: 'HOSPITAL',
    role: 'PARTNER',
    scopes: ['role:PARTNER'],
    tokenId: undefined,
    clientApplication: { id, name: `erp-${id}` },
  });
  const ended: string[] = [];
  const forgetA = connections.track(partner('a'), (reason) => ended.push(`a ${reason}`));
  const forgetB = connections.track(partner('b'), (reason) => ended.push(`b ${reason}`));
  expect(connections.size).toBe(2); // each counted once, though kept under two ids
  revoked = ['a'];
  await list.refresh();
  expect(ended).toEqual(['a revoked']);
  forgetA(); // what the socket's close does
  forgetB();
  expect(connections.size).toBe(0);
});

// A rotation ends the old secret: connections opened with a token of it end, the new secret's stay.
test("an ended client secret's connections end, the same application's newer ones stay", async () => {
  let endedSecrets: string[] = [];
  const list = new SuspendedOrganizations({
    load: async () => ({
      organizationIds: [],
      revokedClientApplicationIds: [],
      endedClientSecretIds: endedSecrets,
    }),
    logger: createLogger('test', 'silent'),
    refreshMs: 60_000,
    failClosed: false,
  });
  await list.refresh();
  const connections = new SuspendedConnections(list);
  const partnerWith = (secretId: string): Viewer => ({
    userId: 'app',
    organizationId: 'org',
    organizationKind: 'HOSPITAL',
    role: 'PARTNER',
    scopes: ['role:PARTNER'],
    tokenId: undefined,
    clientApplication: { id: 'app', name: 'erp-app', secretId },
  });
  const ended: string[] = [];
  const forgetOld = connections.track(partnerWith('old'), (reason) => ended.push(`old ${reason}`));
  const forgetNew = connections.track(partnerWith('new'), (reason) => ended.push(`new ${reason}`));
  expect(connections.size).toBe(2);
  endedSecrets = ['old'];
  await list.refresh();
  expect(ended).toEqual(['old secretEnded']);
  forgetOld();
  forgetNew();
  expect(connections.size).toBe(0);
});
