import { createLogger, SuspendedOrganizations, type Viewer } from '@flow/platform';
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
