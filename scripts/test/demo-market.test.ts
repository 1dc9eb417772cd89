// The demo market's data holds together before any of it is sent (test/demo-market.test.ts runs
// the seed itself against the running platform).
import { demoAccount } from '@flow/users/demo-accounts';
import { carries, demoHospitals, demoOrders, demoVendors, productTerms, vendorPrice } from '../demo/market';

describe('demo market data', () => {
  it('prices every product at least one vendor carries, with quantity tiers that only go down', () => {
    for (const product of productTerms) {
      const sellers = demoVendors.filter((vendor) => carries(vendor, product));
      expect([product.sku, sellers.length > 0]).toEqual([product.sku, true]);
      for (const vendor of sellers) {
        const { unitPrice, tiers } = vendorPrice(vendor, product);
        expect(unitPrice).toBeGreaterThan(0);
        let previous = { minQuantity: 1, unitPrice };
        for (const tier of tiers) {
          expect(tier.minQuantity).toBeGreaterThan(previous.minQuantity);
          expect(tier.unitPrice).toBeLessThan(previous.unitPrice);
          previous = tier;
        }
      }
    }
  });

  it('gives the vendors different prices for what they both carry', () => {
    for (const product of productTerms) {
      const prices = demoVendors
        .filter((vendor) => carries(vendor, product))
        .map((vendor) => vendorPrice(vendor, product).unitPrice);
      expect(new Set(prices).size).toBe(prices.length);
    }
  });

  it('orders only what the vendor carries, for a site of the ordering hospital, from its admin', () => {
    for (const order of demoOrders) {
      const vendor = demoVendors.find(({ organization }) => organization === order.vendor);
      expect(vendor).toBeDefined();
      for (const [sku] of order.items) {
        expect([
          order.key,
          sku,
          carries(
            vendor!,
            productTerms.find((p) => p.sku === sku)!,
          ),
        ]).toEqual([order.key, sku, true]);
      }
      const hospital = demoHospitals.find(({ admin }) => admin === order.hospital)!;
      expect(hospital.sites.map(({ name }) => name)).toContain(order.site);
      expect(demoAccount(order.hospital).organization).toBe(hospital.organization);
    }
    expect(new Set(demoOrders.map(({ key }) => key)).size).toBe(demoOrders.length);
  });

  it('names demo accounts of the right organization and role for every actor', () => {
    for (const vendor of demoVendors) {
      expect(demoAccount(vendor.admin)).toMatchObject({
        organization: vendor.organization,
        role: 'VENDOR_ADMIN',
      });
      expect(demoAccount(vendor.driver)).toMatchObject({ organization: vendor.organization, role: 'DRIVER' });
    }
    for (const hospital of demoHospitals) {
      expect(demoAccount(hospital.admin)).toMatchObject({
        organization: hospital.organization,
        role: 'HOSPITAL_ADMIN',
      });
    }
  });

  it('has a review ready for every order it delivers, and none for the one on its way', () => {
    for (const order of demoOrders) {
      if (order.target === 'DELIVERED') {
        expect(order.review?.rating).toBeGreaterThanOrEqual(1);
        expect(order.review?.rating).toBeLessThanOrEqual(5);
      } else expect(order.review).toBeUndefined();
    }
  });
});
