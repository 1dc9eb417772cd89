// The logins `npm start` prints: the platform admin, then the demo accounts organization by
// organization, in aligned columns.
import { demoAccounts } from '@flow/users/demo-accounts';

/** The demo accounts, each organization's together, organizations in the order they first appear. */
function byOrganization() {
  const organizations = [...new Set(demoAccounts.map(({ organization }) => organization))];
  return organizations.flatMap((name) => demoAccounts.filter(({ organization }) => organization === name));
}

export function loginLines(admin: { email: string; password: string }, withDemoAccounts: boolean): string[] {
  const rows = [
    { role: 'platform admin', email: admin.email, password: admin.password, organization: '' },
    ...(withDemoAccounts ? byOrganization() : []).map((account) => ({
      role: account.role.toLowerCase().replace('_', ' '),
      email: account.email,
      password: account.password,
      organization: account.organization,
    })),
  ];
  const width = (column: 'email' | 'password') => Math.max(...rows.map((row) => row[column].length));
  return rows.map(({ role, email, password, organization }) =>
    `  ${role.padEnd(15)} ${email.padEnd(width('email'))}  ${password.padEnd(width('password'))}  ${organization}`.trimEnd(),
  );
}
