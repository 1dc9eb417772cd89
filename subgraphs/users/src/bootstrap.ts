import type { Logger } from '@flow/core';
import type { UsersPrisma } from './db';
import { demoAccounts, publicPasswordAccounts, type SeedAccount } from './demo-accounts';
import { recordOrganizationEvent } from './services/organization-events';
import type { PasswordHasher } from './services/passwords';
import { isUniqueViolation } from '@flow/subgraph-kit';

export { DEVELOPMENT_ADMIN, demoAccounts } from './demo-accounts';

export const PLATFORM_ORGANIZATION_NAME = 'Flow Platform';

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

/**
 * The accounts in this database that still sign in with a password printed in the README: a
 * database seeded in development and then run in production. Production refuses to start on one.
 */
export async function accountsWithPublicPasswords(
  prisma: UsersPrisma,
  passwords: PasswordHasher,
): Promise<string[]> {
  const users = await prisma.user.findMany({
    where: { email: { in: publicPasswordAccounts.map((account) => account.email) } },
    select: { email: true, passwordHash: true },
  });
  const exposed: string[] = [];
  for (const user of users) {
    const known = publicPasswordAccounts.find((account) => account.email === user.email)!;
    if (await passwords.verify(known.password, user.passwordHash)) exposed.push(user.email);
  }
  return exposed;
}
