import { createLogger, disableTelemetry, onShutdownSignal } from '@flow/platform';
import { startUsersApp } from './app';
import { loadUsersEnvironment } from './env';

disableTelemetry();
const env = loadUsersEnvironment();
const logger = createLogger('users', env.LOG_LEVEL);

startUsersApp(env, logger).then(
  (app) => onShutdownSignal(logger, app.stop),
  (error: unknown) => {
    logger.fatal({ err: error }, 'users failed to start');
    process.exit(1);
  },
);
