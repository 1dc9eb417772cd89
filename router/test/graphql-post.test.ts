// A plain POST /graphql served without Express's router (src/graphql-post.ts) runs the handlers as
// Express runs them: the same order, the same URLs inside and outside the mount, errors (thrown or
// rejected) to the error handler, the 404 when nothing answers, a cut answer when an error comes
// after it started. Each case runs the same handlers through Express and through graphqlPost.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { createHttpServer } from '@flow/core';
import { graphqlPost, isPlainPost } from '../src/graphql-post';

type Behaviour = 'answer' | 'throw' | 'reject' | 'pass' | 'late-error';

/** The handlers of one case, writing what each saw into `steps`. */
function handlers(behaviour: Behaviour, steps: string[]) {
  const see =
    (name: string): RequestHandler =>
    (req, res, next) => {
      steps.push(`${name} ${req.url} ${req.baseUrl} ${req.originalUrl} ${typeof res.locals}`);
      next();
    };
  const last: RequestHandler = async (req, res, next) => {
    steps.push(`last ${req.url} ${req.baseUrl} body=${JSON.stringify(req.body)}`);
    if (behaviour === 'throw') throw new Error('thrown');
    if (behaviour === 'reject') return Promise.reject(new Error('rejected'));
    if (behaviour === 'pass') return next();
    if (behaviour === 'late-error') {
      res.status(200).write('{"partial":');
      return next(new Error('after the answer started'));
    }
    res.status(201).json({ ok: true, ip: typeof req.ip, same: req.res === res });
  };
  const unmatched: RequestHandler = (req, res) => {
    steps.push(`unmatched ${req.url} ${req.baseUrl}`);
    res.status(404).json({ errors: [{ message: 'Not found' }] });
  };
  const onError: ErrorRequestHandler = (error: Error, req, res, next) => {
    steps.push(`error ${error.message} ${req.url} ${req.baseUrl}`);
    if (res.headersSent) return next(error);
    res.status(500).json({ errors: [{ message: error.message }] });
  };
  return {
    application: [see('app-1'), see('app-2')],
    mounted: [see('mount-1'), express.json(), see('mount-2'), last],
    unmatched,
    onError,
  };
}

async function serve(behaviour: Behaviour, fast: boolean) {
  const steps: string[] = [];
  const { application, mounted, unmatched, onError } = handlers(behaviour, steps);
  const app = express();
  app.use(...application);
  app.use('/graphql', ...mounted);
  app.use(unmatched);
  app.use(onError);
  const post = graphqlPost({ application, mounted, mountPath: '/graphql', unmatched, onError });
  const server: Server = createHttpServer(
    (req, res) => (fast && isPlainPost(req, '/graphql') ? post(req, res) : app(req, res)),
    undefined,
    app,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  let answer: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ a }"}',
    });
    answer = `${response.status} ${await response.text()}`;
  } catch (error) {
    answer = `cut: ${(error as Error).message}`;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return { answer, steps };
}

describe('graphqlPost: a plain POST /graphql without Express’s router', () => {
  it.each<Behaviour>(['answer', 'throw', 'reject', 'pass', 'late-error'])(
    'runs the handlers as Express does when the last one does: %s',
    async (behaviour) => {
      const express = await serve(behaviour, false);
      const fast = await serve(behaviour, true);
      expect(fast).toEqual(express);
      expect(fast.steps.length).toBeGreaterThanOrEqual(5);
    },
  );

  it('is taken for a POST to the path itself only', () => {
    const request = (method: string, url: string) => ({ method, url }) as never;
    expect(isPlainPost(request('POST', '/graphql'), '/graphql')).toBe(true);
    expect(isPlainPost(request('GET', '/graphql'), '/graphql')).toBe(false);
    expect(isPlainPost(request('OPTIONS', '/graphql'), '/graphql')).toBe(false);
    expect(isPlainPost(request('POST', '/graphql?documentId=x'), '/graphql')).toBe(false);
    expect(isPlainPost(request('POST', '/graphql/'), '/graphql')).toBe(false);
    expect(isPlainPost(request('POST', '/GRAPHQL'), '/graphql')).toBe(false);
  });
});
