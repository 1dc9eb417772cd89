import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { REQUEST_ID_HEADER } from '../auth/request-signing';

const acceptable = /^[A-Za-z0-9._:-]{8,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

/** The caller's request id (the x-request-id header's value) when it looks sane, else a new one. */
export const requestIdFrom = (given: string | string[] | undefined): string =>
  typeof given === 'string' && acceptable.test(given) ? given : randomUUID();

/** Takes the caller's request id when it looks sane, else makes one; echoes it on the response. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction) {
  req.requestId = requestIdFrom(req.header(REQUEST_ID_HEADER));
  res.setHeader(REQUEST_ID_HEADER, req.requestId);
  next();
}
