// The demo market made real: sites and vendors side by side, then the orders that need both (a
// few sagas at a time), then the hospitals' reviews of the delivered ones.
import { performance } from 'node:perf_hooks';
import { allSettled, DemoApi, type DemoClient } from './api';
import { catalogBySku, seedHospitalSites, seedVendor } from './catalog';
import { demoHospitals, demoOrders, demoVendors } from './market';
import { existingOrders, seedOrders, type SeededOrder } from './orders';
import { seedReviews } from './reviews';

export interface DemoSeedReport {
  /** Mutations sent: 0 when everything was already in place. */
  changes: number;
  signIns: number;
  seconds: number;
  /** Every demo order as it now stands (a delivered one carries the review its hospital gives). */
  orders: SeededOrder[];
  /** Demo orders that have a review now (given by this run or before). */
  reviewed: number;
}

export async function seedDemoMarket(routerUrl: string, client?: DemoClient): Promise<DemoSeedReport> {
  const started = performance.now();
  const api = new DemoApi(routerUrl, client);
  // Nothing here waits for what it does not need: a run that finds everything in place is a
  // handful of sign-ins and reads, side by side.
  const products = api.as(demoHospitals[0]!.admin).then(catalogBySku);
  const existing = existingOrders(api);
  const sites = allSettled(demoHospitals.map((hospital) => seedHospitalSites(api, hospital)));
  const vendors = allSettled(demoVendors.map((vendor) => seedVendor(api, vendor, products)));
  await allSettled<unknown>([products, existing, sites, vendors]);
  const vendorOrganizationIds = await vendors;
  const vendorIds = new Map(demoVendors.map((vendor, i) => [vendor.organization, vendorOrganizationIds[i]!]));
  const orders = await seedOrders(api, await existing, {
    vendors: demoVendors,
    vendorIds,
    siteIds: new Map((await sites).flatMap((byName) => [...byName])),
    products: await products,
  });
  const reviewed = await seedReviews(api, orders, vendorIds);
  return {
    changes: api.changes,
    signIns: api.signIns,
    seconds: (performance.now() - started) / 1000,
    orders,
    reviewed,
  };
}

/** One line for the console: what the demo market holds, and what this run did to it. */
export function describeDemoSeed(report: DemoSeedReport): string {
  const sites = demoHospitals.reduce((sum, hospital) => sum + hospital.sites.length, 0);
  const delivered = report.orders.filter(({ status }) => status === 'DELIVERED').length;
  const market = `${demoVendors.length} vendors, ${demoHospitals.length} hospitals (${sites} sites), ${demoOrders.length} orders (${delivered} delivered, ${report.reviewed} reviewed)`;
  const took = `${report.seconds.toFixed(1)} s, ${report.signIns} sign-ins`;
  return report.changes === 0
    ? `Demo market already in place: ${market}; checked in ${took}, nothing changed.`
    : `Demo market seeded: ${market}; ${report.changes} changes in ${took}.`;
}
