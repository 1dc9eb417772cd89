// The demo market `npm start` seeds: who sells what at which price, who buys, and the orders
// that give the order-history screens something to show. Data only; scripts/demo/seed.ts makes
// it real through the public API. Actors are demo accounts (@flow/users/demo-accounts), by email.
//
// Geography: the Nairobi area. Addresses name towns the locations subgraph's offline gazetteer
// knows (it geocodes to the town, not the street), so every site is geocoded and the distances
// differ: from St. Mary's main campus (Nairobi) Highlands (Kikuyu) is about 23 km by road,
// AirLife (Athi River) about 34 km and Thika Medical Gases (Thika) about 51 km.
import type { DemoEmail } from '@flow/users/demo-accounts';

export type Category = 'CYLINDER' | 'LIQUID_OXYGEN' | 'CONCENTRATOR' | 'REGULATOR';
export type Priority = 'ROUTINE' | 'URGENT' | 'EMERGENCY';

export const CURRENCY = 'USD';

export interface Address {
  line1: string;
  city: string;
  country: string;
}

export interface DemoSite {
  name: string;
  address: Address;
}

/**
 * A product's reference (list) price in cents with its quantity discounts, and the stock a depot
 * that sells it starts with. Cylinders are priced by the gas they hold (a 50 L cylinder holds 20
 * times a 2 L one), equipment by what it is.
 */
export interface ProductTerms {
  sku: string;
  category: Category;
  listPrice: number;
  /** [minQuantity, percent off the unit price]. */
  discounts: [number, number][];
  stock: number;
  reorderLevel: number;
}

// A table reads better than prettier's one field per line.
// prettier-ignore
export const productTerms: readonly ProductTerms[] = [
  { sku: 'O2-CYL-M6', category: 'CYLINDER', listPrice: 1_800, discounts: [[10, 5], [50, 10]], stock: 80, reorderLevel: 15 },
  { sku: 'O2-CYL-M9', category: 'CYLINDER', listPrice: 2_200, discounts: [[10, 5], [50, 10]], stock: 80, reorderLevel: 15 },
  { sku: 'O2-CYL-D', category: 'CYLINDER', listPrice: 2_800, discounts: [[10, 5], [50, 10]], stock: 120, reorderLevel: 20 },
  { sku: 'O2-CYL-E', category: 'CYLINDER', listPrice: 3_500, discounts: [[10, 5], [50, 10]], stock: 150, reorderLevel: 25 },
  { sku: 'O2-CYL-2L', category: 'CYLINDER', listPrice: 3_000, discounts: [[10, 5], [50, 10]], stock: 100, reorderLevel: 20 },
  { sku: 'O2-CYL-M60', category: 'CYLINDER', listPrice: 6_000, discounts: [[5, 5], [20, 10]], stock: 60, reorderLevel: 10 },
  { sku: 'O2-CYL-H', category: 'CYLINDER', listPrice: 14_000, discounts: [[5, 5], [20, 8]], stock: 40, reorderLevel: 8 },
  { sku: 'O2-CYL-50L', category: 'CYLINDER', listPrice: 18_000, discounts: [[5, 5], [20, 8]], stock: 40, reorderLevel: 8 },
  { sku: 'LOX-DEWAR-41L', category: 'LIQUID_OXYGEN', listPrice: 48_000, discounts: [[4, 5]], stock: 10, reorderLevel: 2 },
  { sku: 'LOX-PORTABLE-1L', category: 'LIQUID_OXYGEN', listPrice: 65_000, discounts: [], stock: 12, reorderLevel: 3 },
  { sku: 'CONC-5LPM', category: 'CONCENTRATOR', listPrice: 75_000, discounts: [[5, 5]], stock: 15, reorderLevel: 3 },
  { sku: 'CONC-10LPM', category: 'CONCENTRATOR', listPrice: 145_000, discounts: [[5, 5]], stock: 8, reorderLevel: 2 },
  { sku: 'REG-PIN-INDEX-15', category: 'REGULATOR', listPrice: 8_500, discounts: [[10, 5], [25, 10]], stock: 60, reorderLevel: 10 },
  { sku: 'REG-CGA540-15', category: 'REGULATOR', listPrice: 12_000, discounts: [[10, 5]], stock: 30, reorderLevel: 6 },
  { sku: 'FLOW-THORPE-15', category: 'REGULATOR', listPrice: 4_500, discounts: [[10, 5], [25, 10]], stock: 60, reorderLevel: 10 },
];

export interface DemoVendor {
  organization: string;
  admin: DemoEmail;
  driver: DemoEmail;
  depot: DemoSite;
  /** Cents; maxDistanceKm is the delivery radius. */
  terms: {
    baseFee: number;
    perKmFee: number;
    urgentSurcharge: number;
    emergencySurcharge: number;
    maxDistanceKm: number;
  };
  /** The categories it sells, each with its price against the list price (1.1: 10 % above). */
  priceFactors: Partial<Record<Category, number>>;
  /** SKUs of those categories it does not carry. */
  doesNotCarry: string[];
  /** Its stock against the reference stock. */
  stockFactor: number;
}

export const demoVendors: readonly DemoVendor[] = [
  {
    // The all-round supplier: every product at list price, mid distance, mid fees.
    organization: 'AirLife Oxygen Supply',
    admin: 'vendor.admin@demo.flow.local',
    driver: 'driver@demo.flow.local',
    depot: {
      name: 'AirLife Athi River depot',
      address: { line1: 'Export Processing Zone Road', city: 'Athi River', country: 'KE' },
    },
    terms: {
      baseFee: 1_500,
      perKmFee: 120,
      urgentSurcharge: 2_000,
      emergencySurcharge: 5_000,
      maxDistanceKm: 150,
    },
    priceFactors: { CYLINDER: 1, LIQUID_OXYGEN: 1, CONCENTRATOR: 1, REGULATOR: 1 },
    doesNotCarry: [],
    stockFactor: 1,
  },
  {
    // The gas producer: cheapest gas, no concentrators, farthest away, a high base fee.
    organization: 'Thika Medical Gases',
    admin: 'thika.admin@demo.flow.local',
    driver: 'thika.driver@demo.flow.local',
    depot: {
      name: 'Thika Medical Gases filling plant',
      address: { line1: 'Garissa Road', city: 'Thika', country: 'KE' },
    },
    terms: {
      baseFee: 2_500,
      perKmFee: 90,
      urgentSurcharge: 3_000,
      emergencySurcharge: 8_000,
      maxDistanceKm: 200,
    },
    priceFactors: { CYLINDER: 0.88, LIQUID_OXYGEN: 0.9, REGULATOR: 1.05 },
    doesNotCarry: [],
    stockFactor: 1.5,
  },
  {
    // The respiratory-equipment specialist: cheap equipment, dearer small cylinders, no liquid
    // oxygen or manifold cylinders, nearest to Nairobi, a short radius and a steep per-km fee.
    organization: 'Highlands Respiratory Care',
    admin: 'highlands.admin@demo.flow.local',
    driver: 'highlands.driver@demo.flow.local',
    depot: {
      name: 'Highlands Respiratory Care Kikuyu depot',
      address: { line1: 'Kikuyu Road', city: 'Kikuyu', country: 'KE' },
    },
    terms: {
      baseFee: 1_000,
      perKmFee: 180,
      urgentSurcharge: 1_500,
      emergencySurcharge: 3_000,
      maxDistanceKm: 120,
    },
    priceFactors: { CYLINDER: 1.1, CONCENTRATOR: 0.92, REGULATOR: 0.9 },
    doesNotCarry: ['O2-CYL-H', 'O2-CYL-50L'],
    stockFactor: 0.6,
  },
];

export interface DemoHospital {
  organization: string;
  /** Places its demo orders. */
  admin: DemoEmail;
  sites: DemoSite[];
}

export const ST_MARY_MAIN_CAMPUS = 'St. Mary General Hospital, main campus';

export const demoHospitals: readonly DemoHospital[] = [
  {
    organization: 'St. Mary General Hospital',
    admin: 'hospital.admin@demo.flow.local',
    sites: [
      // Its first site: the README's examples and the older demo data know it by this name.
      { name: ST_MARY_MAIN_CAMPUS, address: { line1: '1 Hospital Road', city: 'Nairobi', country: 'KE' } },
      {
        name: 'St. Mary Ngong community clinic',
        address: { line1: 'Ngong Road', city: 'Ngong', country: 'KE' },
      },
    ],
  },
  {
    organization: 'Ukambani Referral Hospital',
    admin: 'ukambani.admin@demo.flow.local',
    sites: [
      {
        name: 'Ukambani Referral Hospital, Machakos',
        address: { line1: 'Hospital Road', city: 'Machakos', country: 'KE' },
      },
    ],
  },
];

export interface DemoOrder {
  /** Stable: its idempotency key and the tag at the end of its notes, by which a later start finds it. */
  key: string;
  hospital: DemoEmail;
  site: string;
  vendor: string;
  items: [sku: string, quantity: number][];
  priority: Priority;
  payment: { method: 'CARD'; cardToken: string } | { method: 'INVOICE'; purchaseOrderNumber: string };
  notes: string;
  /** How far the seed drives it: DELIVERED by the driver, or DISPATCHED with one reported position. */
  target: 'DELIVERED' | 'DISPATCHED';
  receivedBy?: string;
  /** What the hospital thinks of the delivery: for the reviews subgraph (submitReview) to record. */
  review?: { rating: number; comment: string };
}

export const demoOrders: readonly DemoOrder[] = [
  {
    key: 'D1',
    hospital: 'hospital.admin@demo.flow.local',
    site: ST_MARY_MAIN_CAMPUS,
    vendor: 'AirLife Oxygen Supply',
    items: [
      ['O2-CYL-E', 10],
      ['REG-PIN-INDEX-15', 2],
    ],
    priority: 'ROUTINE',
    payment: { method: 'CARD', cardToken: 'tok_visa' },
    notes: 'Weekly restock for theatres and ward 4.',
    target: 'DELIVERED',
    receivedBy: 'Ruth Achieng, theatre store',
    review: { rating: 5, comment: 'On time; every cylinder full and tagged.' },
  },
  {
    key: 'D2',
    hospital: 'hospital.admin@demo.flow.local',
    site: ST_MARY_MAIN_CAMPUS,
    vendor: 'Thika Medical Gases',
    items: [['O2-CYL-50L', 4]],
    priority: 'URGENT',
    payment: { method: 'INVOICE', purchaseOrderNumber: 'SMGH-PO-2041' },
    notes: 'Manifold bank for the ICU; the reserve bank is on its last cylinder.',
    target: 'DELIVERED',
    receivedBy: 'James Otieno, biomedical engineering',
    review: { rating: 4, comment: 'Best price for the big cylinders; the driver called ahead.' },
  },
  {
    key: 'D3',
    hospital: 'hospital.admin@demo.flow.local',
    site: 'St. Mary Ngong community clinic',
    vendor: 'Highlands Respiratory Care',
    items: [
      ['CONC-5LPM', 2],
      ['FLOW-THORPE-15', 2],
    ],
    priority: 'ROUTINE',
    payment: { method: 'CARD', cardToken: 'tok_visa' },
    notes: 'Concentrators for the new paediatric room.',
    target: 'DELIVERED',
    receivedBy: 'Mary Wambui, clinic officer',
    review: { rating: 5, comment: 'Set the concentrators up and showed the nurses how to use them.' },
  },
  {
    key: 'D4',
    hospital: 'ukambani.admin@demo.flow.local',
    site: 'Ukambani Referral Hospital, Machakos',
    vendor: 'Thika Medical Gases',
    items: [
      ['LOX-DEWAR-41L', 1],
      ['O2-CYL-H', 6],
    ],
    priority: 'ROUTINE',
    payment: { method: 'INVOICE', purchaseOrderNumber: 'URH-PO-0317' },
    notes: 'Monthly bulk oxygen for the main wards.',
    target: 'DELIVERED',
    receivedBy: 'Peter Kioko, stores',
    review: { rating: 3, comment: 'Arrived late in the afternoon; the wards ran on backup cylinders.' },
  },
  {
    key: 'D5',
    hospital: 'ukambani.admin@demo.flow.local',
    site: 'Ukambani Referral Hospital, Machakos',
    vendor: 'AirLife Oxygen Supply',
    items: [['O2-CYL-D', 20]],
    priority: 'EMERGENCY',
    payment: { method: 'CARD', cardToken: 'tok_visa' },
    notes: 'Emergency: road accident, casualty ward needs transport cylinders.',
    target: 'DELIVERED',
    receivedBy: 'Dr. Faith Mwende, casualty',
    review: { rating: 4, comment: 'Came fast for an emergency; two cylinders arrived without tags.' },
  },
  {
    key: 'P1',
    hospital: 'hospital.admin@demo.flow.local',
    site: ST_MARY_MAIN_CAMPUS,
    vendor: 'Highlands Respiratory Care',
    items: [
      ['O2-CYL-2L', 6],
      ['O2-CYL-M6', 4],
    ],
    priority: 'URGENT',
    payment: { method: 'CARD', cardToken: 'tok_visa' },
    notes: 'Portable cylinders for patient transfers.',
    target: 'DISPATCHED',
  },
];

/** The vendor's unit price and tiers for a product it carries, in cents (rounded to 50). */
export function vendorPrice(vendor: DemoVendor, product: ProductTerms) {
  const factor = vendor.priceFactors[product.category]!;
  const toFifty = (cents: number) => Math.round(cents / 50) * 50;
  const unitPrice = toFifty(product.listPrice * factor);
  return {
    unitPrice,
    tiers: product.discounts.map(([minQuantity, percentOff]) => ({
      minQuantity,
      unitPrice: toFifty((unitPrice * (100 - percentOff)) / 100),
    })),
  };
}

export const carries = (vendor: DemoVendor, product: ProductTerms) =>
  vendor.priceFactors[product.category] !== undefined && !vendor.doesNotCarry.includes(product.sku);

/** The tag that marks a demo order in its notes. */
export const orderTag = (order: DemoOrder) => `[demo order ${order.key}]`;
