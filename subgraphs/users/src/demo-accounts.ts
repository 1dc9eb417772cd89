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

/** The demo organizations `npm start` seeds; the start script prints these logins. */
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
] as const satisfies readonly SeedAccount[];

/** Every account whose password anyone who read the README knows. */
export const publicPasswordAccounts: readonly { email: string; password: string }[] = [
  DEVELOPMENT_ADMIN,
  ...demoAccounts.map(({ email, password }) => ({ email, password })),
];
