import { basename, dirname, join } from 'node:path';

/** Whether this process runs compiled JavaScript (scripts/dist/) rather than scripts/ through tsx. */
export const runsCompiled = basename(dirname(__dirname)) === 'dist';

/** The repository's root, from scripts/lib/ or from its compiled copy in scripts/dist/lib/. */
export const repositoryRoot = join(__dirname, runsCompiled ? '../../..' : '../..');
