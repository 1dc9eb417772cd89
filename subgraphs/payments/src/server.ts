import { createLogger, disableTelemetry, onShutdownSignal } from '@flow/platform';
import { startPaymentsApp } from './app';
import { loadPaymentsConfig } from './env';

disableTelemetry();
const config = loadPaymentsConfig();
const logger = createLogger('payments', config.logLevel);

startPaymentsApp(config, logger).then(
  (app) => onShutdownSignal(logger, app.stop),
  (error: unknown) => {
    logger.fatal({ err: error }, 'payments failed to start');
    process.exit(1);
  },
);
