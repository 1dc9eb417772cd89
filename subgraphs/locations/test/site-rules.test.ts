import { scopesForRole, type OrganizationKind, type Role, type Viewer } from '@flow/core';
import { canSee, siteCreator, visibleWhere } from '../src/services/policy';
import { parseAddress, parseCreateSite, parsePosition } from '../src/services/site-input';

const viewer = (organizationId: string, organizationKind: OrganizationKind, role: Role): Viewer => ({
  userId: 'u',
  organizationId,
  organizationKind,
  role,
  scopes: scopesForRole(role),
  tokenId: undefined,
});

// The rules under the names this test has always used (src/services/policy.ts).
const canSeeSite = (who: Viewer | null, site: Parameters<typeof canSee>[1]) =>
  canSee({ viewer: who, callerService: null }, site);
const visibleKindsOf = (who: Viewer, organizationId: string) => visibleWhere(who, organizationId).kind.in;
const requireSiteCreator = siteCreator;

const fieldOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string; field?: string } }).extensions;
  }
  throw new Error('expected an error');
};

describe('site visibility', () => {
  const hospitalSite = { kind: 'HOSPITAL_SITE' as const, organizationId: 'h1' };
  const depot = { kind: 'DEPOT' as const, organizationId: 'v1' };

  it('shows depots to everyone signed in, and to no one anonymous', () => {
    for (const who of [viewer('h2', 'HOSPITAL', 'HOSPITAL_STAFF'), viewer('v2', 'VENDOR', 'DRIVER')])
      expect(canSeeSite(who, depot)).toBe(true);
    expect(canSeeSite(null, depot)).toBe(false);
  });

  it('shows hospital sites only to their organization and platform admins', () => {
    expect(canSeeSite(viewer('h1', 'HOSPITAL', 'HOSPITAL_STAFF'), hospitalSite)).toBe(true);
    expect(canSeeSite(viewer('p', 'PLATFORM', 'PLATFORM_ADMIN'), hospitalSite)).toBe(true);
    expect(canSeeSite(viewer('h2', 'HOSPITAL', 'HOSPITAL_ADMIN'), hospitalSite)).toBe(false);
    expect(canSeeSite(viewer('v1', 'VENDOR', 'VENDOR_ADMIN'), hospitalSite)).toBe(false);
  });

  it('lists every kind of one’s own sites, only depots of others', () => {
    expect(visibleKindsOf(viewer('h1', 'HOSPITAL', 'HOSPITAL_STAFF'), 'h1')).toEqual([
      'HOSPITAL_SITE',
      'DEPOT',
    ]);
    expect(visibleKindsOf(viewer('p', 'PLATFORM', 'PLATFORM_ADMIN'), 'h1')).toEqual([
      'HOSPITAL_SITE',
      'DEPOT',
    ]);
    expect(visibleKindsOf(viewer('h2', 'HOSPITAL', 'HOSPITAL_ADMIN'), 'h1')).toEqual(['DEPOT']);
  });

  it('lets organization admins create their kind of site', () => {
    expect(requireSiteCreator(viewer('h1', 'HOSPITAL', 'HOSPITAL_ADMIN')).siteKind).toBe('HOSPITAL_SITE');
    expect(requireSiteCreator(viewer('v1', 'VENDOR', 'VENDOR_ADMIN')).siteKind).toBe('DEPOT');
    for (const who of [
      viewer('h1', 'HOSPITAL', 'HOSPITAL_STAFF'),
      viewer('v1', 'VENDOR', 'DRIVER'),
      viewer('p', 'PLATFORM', 'PLATFORM_ADMIN'),
    ])
      expect(fieldOf(() => requireSiteCreator(who))).toMatchObject({ code: 'FORBIDDEN' });
    expect(fieldOf(() => requireSiteCreator(null))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('site input', () => {
  const address = { line1: ' 1 Ngong Road ', city: ' Nairobi ', country: ' ke ' };

  it('trims, upper-cases the country and treats blank optional fields as absent', () => {
    expect(parseAddress({ ...address, region: '  ', postalCode: '' }, 'input.address')).toEqual({
      line1: '1 Ngong Road',
      city: 'Nairobi',
      region: null,
      postalCode: null,
      country: 'KE',
    });
    expect(parseAddress({ ...address, postalCode: 'SW1A 1AA' }, 'a').postalCode).toBe('SW1A 1AA');
    expect(parseAddress({ ...address, country: 'XK' }, 'a').country).toBe('XK');
  });

  it.each([
    [{ line1: 'x'.repeat(201) }, 'input.address.line1'],
    [{ city: '' }, 'input.address.city'],
    [{ city: 'Nai\nrobi' }, 'input.address.city'],
    [{ region: 'r'.repeat(101) }, 'input.address.region'],
    [{ postalCode: '1'.repeat(17) }, 'input.address.postalCode'],
    [{ postalCode: '-123' }, 'input.address.postalCode'],
    [{ country: 'KEN' }, 'input.address.country'],
    [{ country: 'ZZ' }, 'input.address.country'],
    [{ country: 'EU' }, 'input.address.country'],
  ])('names the bad field (%j)', (change, field) => {
    expect(fieldOf(() => parseAddress({ ...address, ...change }, 'input.address'))).toEqual({
      code: 'BAD_USER_INPUT',
      field,
    });
  });

  it.each([
    [{ lat: 90.0001, lng: 0 }, 'p.lat'],
    [{ lat: Number.NaN, lng: 0 }, 'p.lat'],
    [{ lat: 0, lng: 180.0001 }, 'p.lng'],
    [{ lat: 0, lng: Number.POSITIVE_INFINITY }, 'p.lng'],
  ])('names a position out of range (%j)', (position, field) => {
    expect(fieldOf(() => parsePosition(position, 'p'))).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('accepts the extremes of a position', () => {
    expect(parsePosition({ lat: -90, lng: 180 }, 'p')).toEqual({ lat: -90, lng: 180 });
  });

  it('checks the whole CreateSiteInput, in field order', () => {
    expect(
      parseCreateSite({ name: ' North Depot ', kind: 'DEPOT', address, position: { lat: 1, lng: 2 } }),
    ).toMatchObject({ name: 'North Depot', kind: 'DEPOT', position: { lat: 1, lng: 2 } });
    expect(fieldOf(() => parseCreateSite({ name: 'x', kind: 'WAREHOUSE', address }))).toMatchObject({
      field: 'input.kind',
    });
    expect(
      fieldOf(() => parseCreateSite({ name: '', kind: 'DEPOT', address: { ...address, city: '' } })),
    ).toMatchObject({ field: 'input.name' });
  });
});
