// Every Subscription field of the checked-in supergraph is served: it has a snapshot rule, and the
// rule's query field exists with the arguments it passes and returns the subscription's type.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getNamedType } from 'graphql';
import type { Viewer } from '@flow/core';
import { snapshotRules } from '../src/subscriptions/snapshots';
import { repositoryRoot } from './support';

const schema = buildSchema(readFileSync(join(repositoryRoot, 'schema', 'supergraph.graphql'), 'utf8'), {
  assumeValidSDL: true,
});

const staff: Viewer = {
  userId: 'u1',
  organizationId: 'o1',
  organizationKind: 'VENDOR',
  role: 'VENDOR_STAFF',
  scopes: [],
  tokenId: undefined,
};
const driver: Viewer = { ...staff, userId: 'd1', role: 'DRIVER' };

describe('snapshot rules', () => {
  const subscriptionFields = Object.values(schema.getSubscriptionType()!.getFields());

  it.each(subscriptionFields.map((field) => [field.name, field] as const))(
    '%s has a rule whose query field exists and returns the same type',
    (name, field) => {
      const rule = snapshotRules[name];
      expect(rule).toBeDefined();
      const query = schema.getQueryType()!.getFields()[rule!.queryField];
      expect(query).toBeDefined();
      expect(getNamedType(query!.type).name).toBe(getNamedType(field.type).name);
      for (const [argument, type] of Object.entries(rule!.queryArgs)) {
        expect(query!.args.find((a) => a.name === argument)?.type.toString()).toBe(type);
      }
    },
  );

  it('has no rule for a field the supergraph lacks', () => {
    expect(Object.keys(snapshotRules).sort()).toEqual(subscriptionFields.map((f) => f.name).sort());
  });

  it('listens for notifications on the organization topic, and a driver on its own', () => {
    const rule = snapshotRules.notificationAdded!;
    expect(rule.topic({}, staff)).toBe('org:o1:notifications');
    expect(rule.topic({}, driver)).toBe('user:d1:notifications');
    expect(rule.argsFor({}, { type: 'notification.added', notificationId: 'n1' })).toEqual({ id: 'n1' });
    expect(rule.argsFor({}, { type: 'notification.added' })).toBeNull();
  });
});
