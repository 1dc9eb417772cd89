import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { REQUEST_ID_HEADER } from '../auth/request-signing';

const acceptable = /^[A-Za-z0-9._:-]{8,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

/** Takes the caller's request id when it looks sane, else makes one; echoes it on the response. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction) {
  const given = req.header(REQUEST_ID_HEADER);
  req.requestId = given && acceptable.test(given) ? given : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, req.requestId);
  next();
}
