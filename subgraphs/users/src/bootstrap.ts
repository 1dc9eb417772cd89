import type { Logger } from '@flow/platform';
import type { UsersPrisma } from './db';
import type { Role, OrganizationKind, OrganizationStatus } from './generated/prisma/client';
import { isUniqueViolation } from './services/auth-service';
import { recordOrganizationEvent } from './services/organization-events';
import type { PasswordHasher } from './services/passwords';

export const PLATFORM_ORGANIZATION_NAME = 'Flow Platform';
export const DEVELOPMENT_ADMIN = { email: 'admin@flow.local', password: 'flow-admin-password' };

interface SeedAccount {
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

async function ensureAccount(
  prisma: UsersPrisma,
  passwords: PasswordHasher,
  account: SeedAccount,
): Promise<boolean> {
  const email = account.email.trim().toLowerCase();
  if (await prisma.user.findUnique({ where: { email } })) return false;
  const passwordHash = await passwords.hash(account.password);
  try {
    await createAccount(prisma, account, email, passwordHash);
  } catch (error) {
    // Another instance starting at the same moment created it first.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
  return true;
}

/**
 * An organization made here is registered like any other (its event reaches consumers and the audit
 * trail), by the system: actor null. The outbox relay publishes it once it starts.
 */
async function createAccount(prisma: UsersPrisma, account: SeedAccount, email: string, passwordHash: string) {
  await prisma.$transaction(async (tx) => {
    let organization = await tx.organization.findFirst({
      where: { name: account.organization, kind: account.kind },
    });
    if (!organization) {
      organization = await tx.organization.create({
        data: { name: account.organization, kind: account.kind, status: account.status },
      });
      await recordOrganizationEvent(tx, { type: 'organization.registered', organization, actor: null });
    }
    await tx.user.create({
      data: { organizationId: organization.id, email, name: account.name, role: account.role, passwordHash },
    });
  });
}

/**
 * Makes sure the platform admin from FLOW_ADMIN_EMAIL / FLOW_ADMIN_PASSWORD exists. Idempotent:
 * an existing account keeps its password (it may have been changed since).
 */
export async function bootstrapPlatformAdmin(
  prisma: UsersPrisma,
  passwords: PasswordHasher,
  admin: { email: string; password: string },
  logger: Logger,
): Promise<void> {
  const created = await ensureAccount(prisma, passwords, {
    organization: PLATFORM_ORGANIZATION_NAME,
    kind: 'PLATFORM',
    status: 'ACTIVE',
    name: 'Platform Admin',
    email: admin.email,
    role: 'PLATFORM_ADMIN',
    password: admin.password,
  });
  if (created) logger.info({ email: admin.email }, 'platform admin created');
}

export async function seedDemoData(
  prisma: UsersPrisma,
  passwords: PasswordHasher,
  logger: Logger,
): Promise<void> {
  for (const account of demoAccounts) {
    if (await ensureAccount(prisma, passwords, account))
      logger.info({ email: account.email }, 'demo account created');
  }
}
