import { createLogger, disableTelemetry, onShutdownSignal } from '@flow/platform';
import { startNotificationsApp } from './app';
import { loadNotificationsConfig } from './env';

disableTelemetry();
const config = loadNotificationsConfig();
const logger = createLogger('notifications', config.logLevel);

startNotificationsApp(config, logger).then(
  (app) => onShutdownSignal(logger, app.stop),
  (error: unknown) => {
    logger.fatal({ err: error }, 'notifications failed to start');
    process.exit(1);
  },
);
