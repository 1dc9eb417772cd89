// The demo logins as `npm start` prints them, one organization after another.
import { demoAccounts } from '@flow/users/demo-accounts';

export function demoLoginLines(): string[] {
  const width = Math.max(...demoAccounts.map(({ email }) => email.length));
  const passwordWidth = Math.max(...demoAccounts.map(({ password }) => password.length));
  const organizations = [...new Set(demoAccounts.map(({ organization }) => organization))];
  return organizations.flatMap((organization) =>
    demoAccounts
      .filter((account) => account.organization === organization)
      .map(
        (a) =>
          `  ${a.role.toLowerCase().replace('_', ' ').padEnd(15)} ${a.email.padEnd(width)}  ${a.password.padEnd(passwordWidth)}  ${organization}`,
      ),
  );
}
