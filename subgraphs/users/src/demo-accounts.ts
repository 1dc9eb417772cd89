// Accounts whose passwords are public (printed by `npm start`, written in the README): the
// development platform admin and the demo organizations. Kept apart from the bootstrap code so
// that env.ts can refuse them in production without loading the database client.
import type { OrganizationKind, OrganizationStatus, Role } from './generated/prisma/client';

export const DEVELOPMENT_ADMIN = { email: 'admin@flow.local', password: 'flow-admin-password' };

export interface SeedAccount {
  organization: string;
  kind: OrganizationKind;
  status: OrganizationStatus;
  name: string;
  email: string;
  role: Role;
  password: string;
}

/**
 * The demo organizations `npm start` seeds (two hospitals, three vendors, each with its people);
 * the start script prints these logins. The first three are the original demo logins that tests
 * and docs use: keep them. The demo market (scripts/demo) finds its actors here by email.
 */
export const demoAccounts = [
  {
    organization: 'St. Mary General Hospital',
    kind: 'HOSPITAL',
    status: 'ACTIVE',
    name: 'Hana Hospital-Admin',
    email: 'hospital.admin@demo.flow.local',
    role: 'HOSPITAL_ADMIN',
    password: 'demo-hospital-password',
  },
  {
    organization: 'AirLife Oxygen Supply',
    kind: 'VENDOR',
    status: 'ACTIVE',
    name: 'Victor Vendor-Admin',
    email: 'vendor.admin@demo.flow.local',
    role: 'VENDOR_ADMIN',
    password: 'demo-vendor-password',
  },
  {
    organization: 'AirLife Oxygen Supply',
    kind: 'VENDOR',
    status: 'ACTIVE',
    name: 'Dina Driver',
    email: 'driver@demo.flow.local',
    role: 'DRIVER',
    password: 'demo-driver-password',
  },
  {
    organization: 'St. Mary General Hospital',
    kind: 'HOSPITAL',
    status: 'ACTIVE',
    name: 'Samuel Ward-Nurse',
    email: 'hospital.staff@demo.flow.local',
    role: 'HOSPITAL_STAFF',
    password: 'demo-staff-password',
  },
  {
    organization: 'Ukambani Referral Hospital',
    kind: 'HOSPITAL',
    status: 'ACTIVE',
    name: 'Grace Mutua',
    email: 'ukambani.admin@demo.flow.local',
    role: 'HOSPITAL_ADMIN',
    password: 'demo-ukambani-password',
  },
  {
    organization: 'Ukambani Referral Hospital',
    kind: 'HOSPITAL',
    status: 'ACTIVE',
    name: 'Peter Kioko',
    email: 'ukambani.staff@demo.flow.local',
    role: 'HOSPITAL_STAFF',
    password: 'demo-ukambani-staff-password',
  },
  {
    organization: 'Thika Medical Gases',
    kind: 'VENDOR',
    status: 'ACTIVE',
    name: 'Joseph Kamau',
    email: 'thika.admin@demo.flow.local',
    role: 'VENDOR_ADMIN',
    password: 'demo-thika-password',
  },
  {
    organization: 'Thika Medical Gases',
    kind: 'VENDOR',
    status: 'ACTIVE',
    name: 'Daniel Njoroge',
    email: 'thika.driver@demo.flow.local',
    role: 'DRIVER',
    password: 'demo-thika-driver-password',
  },
  {
    organization: 'Highlands Respiratory Care',
    kind: 'VENDOR',
    status: 'ACTIVE',
    name: 'Wanjiru Njeri',
    email: 'highlands.admin@demo.flow.local',
    role: 'VENDOR_ADMIN',
    password: 'demo-highlands-password',
  },
  {
    organization: 'Highlands Respiratory Care',
    kind: 'VENDOR',
    status: 'ACTIVE',
    name: 'Otieno Driver',
    email: 'highlands.driver@demo.flow.local',
    role: 'DRIVER',
    password: 'demo-highlands-driver-password',
  },
] as const satisfies readonly SeedAccount[];

export type DemoAccount = (typeof demoAccounts)[number];
export type DemoEmail = DemoAccount['email'];

/** The demo account with this email (a typo is a compile error, not a missing login). */
export function demoAccount(email: DemoEmail): DemoAccount {
  return demoAccounts.find((account) => account.email === email)!;
}

/** Every account whose password anyone who read the README knows. */
export const publicPasswordAccounts: readonly { email: string; password: string }[] = [
  DEVELOPMENT_ADMIN,
  ...demoAccounts.map(({ email, password }) => ({ email, password })),
];
