import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { PartyKind } from '../generated/prisma/client';
import type { OrdersPrisma } from '../db';
import { asksBeyondId } from './selection';

// An order's parties (its hospital and vendor, its site and depot) are other subgraphs'
// entities, and nearly every view of an order shows their names. Organization and site names
// never change once they exist (users and locations have no way to rename one), so orders keeps
// each name it has learned in party_names and Order.hospital, vendor, site and depot provide
// `name` from there (`@provides` in schema/orders.graphql): the router does not ask users and
// locations for every order it shows. A name not yet recorded is asked of its owner on behalf of
// the viewer, one call per subgraph per request however many parties, and recorded; a party the
// owner does not answer for (the viewer may not see it, or it is gone) stays a bare reference, as
// the router's own fetch would have found nothing.
//
// If a rename ever becomes possible, the owner must publish it and orders must apply it here
// (subgraphs/orders/README.md, "What an order names").

/** Order.hospital, vendor, site, depot: a reference, with its name when the query asks for it. */
export interface PartyReference {
  id: string;
  name?: string;
}

export interface Party {
  kind: PartyKind;
  id: string;
}

/** The owners, asked on behalf of this request's viewer: one call for many ids, unknown ids left out. */
export interface PartyOwners {
  organizationNames: (ids: string[]) => Promise<Map<string, string>>;
  siteNames: (ids: string[]) => Promise<Map<string, string>>;
}

export type PartyNameLoader = DataLoader<Party, string | null, string>;

const keyOf = (party: Party) => `${party.kind}:${party.id}`;

/** One statement for every party of a request; the owners only for names not recorded yet. */
export function partyNameLoader(prisma: OrdersPrisma, owners: PartyOwners): PartyNameLoader {
  return new DataLoader<Party, string | null, string>(
    async (parties) => {
      const recorded = new Map(
        (
          await prisma.partyName.findMany({
            where: { id: { in: [...new Set(parties.map((p) => p.id))] } },
            select: { id: true, kind: true, name: true },
          })
        ).map((row) => [keyOf(row), row.name]),
      );
      const ask = async (kind: PartyKind, names: PartyOwners[keyof PartyOwners]) => {
        const ids = new Set(
          parties.filter((p) => p.kind === kind && !recorded.has(keyOf(p))).map((p) => p.id),
        );
        return ids.size > 0 ? names([...ids]) : new Map<string, string>();
      };
      const [organizations, sites] = await Promise.all([
        ask('ORGANIZATION', owners.organizationNames),
        ask('SITE', owners.siteNames),
      ]);
      const learned = [
        ...[...organizations].map(([id, name]) => ({ kind: 'ORGANIZATION' as const, id, name })),
        ...[...sites].map(([id, name]) => ({ kind: 'SITE' as const, id, name })),
      ];
      // Two requests may learn the same name at once: the first row stays (they agree).
      if (learned.length > 0) await prisma.partyName.createMany({ data: learned, skipDuplicates: true });
      for (const party of learned) recorded.set(keyOf(party), party.name);
      return parties.map((party) => recorded.get(keyOf(party)) ?? null);
    },
    { cacheKeyFn: keyOf },
  );
}

export async function partyAsOrdered(
  party: Party,
  names: PartyNameLoader,
  info: GraphQLResolveInfo,
): Promise<PartyReference> {
  if (!asksBeyondId(info)) return { id: party.id };
  const name = await names.load(party);
  return name === null ? { id: party.id } : { id: party.id, name };
}
