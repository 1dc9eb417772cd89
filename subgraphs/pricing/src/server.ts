import { createLogger, disableTelemetry, onShutdownSignal } from '@flow/platform';
import { startPricingApp } from './app';
import { loadPricingConfig } from './env';

disableTelemetry();
const config = loadPricingConfig();
const logger = createLogger('pricing', config.logLevel);

startPricingApp(config, logger).then(
  (app) => onShutdownSignal(logger, app.stop),
  (error: unknown) => {
    logger.fatal({ err: error }, 'pricing failed to start');
    process.exit(1);
  },
);
