// POST /oauth/token: users' client credentials endpoint, re-exposed on the public address (as the
// JWKS is) so a partner never reaches an internal service. Each request spends one attempt of the
// client address's sign-in budget (LOGIN_RATE_LIMIT_PER_MINUTE) before users is called; users
// throttles failed client authentications per client id. The router signs what it forwards, so
// users trusts the client address it names.
import { randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { CLIENT_ADDRESS_HEADER } from '@flow/subgraph-kit';
import {
  ErrorCode,
  OAUTH_TOKEN_MAX_BODY_BYTES,
  OAUTH_TOKEN_PATH,
  oauthTokenSignedOperation,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
  type Logger,
} from '@flow/core';
import type { SignInThrottle } from './rate-limit';

/** Headers of users' answer that the client needs (RFC 6749 5.1/5.2, Retry-After). */
const PASSED_HEADERS = ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'retry-after'];

const oauthError = (res: Response, status: number, error: string, description: string) =>
  res
    .status(status)
    .set({ 'cache-control': 'no-store', pragma: 'no-cache' })
    .json({ error, error_description: description });

export function oauthTokenProxy(options: {
  usersUrl: string;
  secret: string;
  timeoutMs: number;
  signInThrottle: SignInThrottle | undefined;
  logger: Logger;
}): RequestHandler[] {
  const url = `${new URL(options.usersUrl).origin}${OAUTH_TOKEN_PATH}`;
  const forward = async (req: Request, res: Response) => {
    const logger = (res.locals.logger as Logger | undefined) ?? options.logger;
    const clientAddress = req.ip ?? req.socket.remoteAddress ?? null;
    try {
      await options.signInThrottle?.checkAttempts({ attempts: 1, clientAddress, logger });
    } catch (error) {
      if (!(error instanceof GraphQLError) || error.extensions.code !== ErrorCode.RATE_LIMITED) throw error;
      const retryAfter = String(error.extensions.retryAfterSeconds ?? 60);
      res.set('retry-after', retryAfter);
      return oauthError(res, 429, 'temporarily_unavailable', error.message);
    }
    const form = typeof req.body === 'string' ? req.body : '';
    const authorization = req.header('authorization') ?? '';
    const requestId = req.requestId ?? randomUUID();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      [REQUEST_ID_HEADER]: requestId,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signRequest(options.secret, {
        timestamp,
        requestId,
        authorization,
        clientAddress: clientAddress ?? '',
        ...oauthTokenSignedOperation(form),
      }),
    };
    if (clientAddress) headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    if (authorization) headers.authorization = authorization;
    const contentType = req.header('content-type');
    if (contentType) headers['content-type'] = contentType;
    let answer: globalThis.Response;
    try {
      answer = await fetch(url, {
        method: 'POST',
        headers,
        body: form,
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      logger.warn({ err: error }, 'users did not answer a token request');
      res.set('retry-after', '5');
      return oauthError(
        res,
        503,
        'temporarily_unavailable',
        'Tokens cannot be issued right now. Try again shortly.',
      );
    }
    for (const name of PASSED_HEADERS) {
      const value = answer.headers.get(name);
      if (value) res.set(name, value);
    }
    res.status(answer.status).send(Buffer.from(await answer.arrayBuffer()));
  };
  return [
    express.text({ type: () => true, limit: OAUTH_TOKEN_MAX_BODY_BYTES }),
    (req, res, next) => forward(req, res).catch(next),
  ];
}
