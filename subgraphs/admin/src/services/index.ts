import type { Logger } from '@flow/core';
import type { AdminPrisma } from '../db';
import { AuditService } from './audit-service';
import { AuditRecorder } from './recorder';
import { StatsService } from './stats-service';

export interface AdminServices {
  audit: AuditService;
  stats: StatsService;
  /** The domain-event consumer: `recorder.handle` is the handler to plug into the event bus. */
  recorder: AuditRecorder;
}

export function createAdminServices(options: {
  prisma: AdminPrisma;
  logger: Logger;
  platformCurrency: string;
}): AdminServices {
  const logger = options.logger.child({ service: 'admin' });
  return {
    audit: new AuditService(options.prisma),
    stats: new StatsService(options.prisma, options.platformCurrency),
    recorder: new AuditRecorder(options.prisma, logger),
  };
}
