// The explorer on GET /graphql: GraphiQL from npm (router/explorer/app.js), bundled by esbuild in
// this process and served by the router under /graphql/explorer/. Nothing is fetched from anywhere
// else: no CDN, no web fonts (GraphiQL's are inlined as data: URLs), no telemetry; the page's
// Content-Security-Policy lets the browser load and connect to this origin only. Apollo's own
// landing pages load their code from Apollo's CDN, which a closed hospital network cannot reach.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode, type Logger } from '@flow/core';

export const EXPLORER_ASSET_PATH = '/graphql/explorer';
const ENTRY = path.join(__dirname, '..', 'explorer', 'app.js');

/**
 * Inline styles stay allowed: React and the dialog library set them at run time, and a style can
 * neither run code nor reach another host once every other source is 'self'.
 */
export const EXPLORER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  // 'self' covers ws:/wss: to the same host and port (CSP Level 3): the graphql-ws subscriptions.
  "connect-src 'self'",
  "worker-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  name: string;
  type: string;
  body: Buffer;
}

interface Bundle {
  script: Asset;
  style: Asset;
}

function asset(kind: 'js' | 'css', contents: Uint8Array): Asset {
  const body = Buffer.from(contents);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return {
    name: `graphiql-${hash}.${kind}`,
    type: kind === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    body,
  };
}

/** Bundles GraphiQL, React and graphql-ws from node_modules into one script and one stylesheet. */
async function bundle(): Promise<Bundle> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    outdir: 'explorer-out',
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'eof',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const css = result.outputFiles.find((file) => file.path.endsWith('.css'));
  if (!js || !css) throw new Error('the explorer bundle is missing its script or stylesheet');
  return { script: asset('js', js.contents), style: asset('css', css.contents) };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page({ script, style }: Bundle): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Flow GraphQL explorer</title>
<link rel="stylesheet" href="${escapeHtml(`${EXPLORER_ASSET_PATH}/${style.name}`)}">
</head>
<body>
<div id="graphiql">Loading the Flow GraphQL explorer…</div>
<noscript>The explorer needs JavaScript. Without it, POST operations to this URL as JSON.</noscript>
<script src="${escapeHtml(`${EXPLORER_ASSET_PATH}/${script.name}`)}"></script>
</body>
</html>
`;
}

/** Parameters of a GraphQL request over GET: such a request is an operation, not a page visit. */
const OPERATION_PARAMETERS = ['query', 'documentId', 'extensions', 'operationName', 'variables'];

function wantsPage(req: Request): boolean {
  if (OPERATION_PARAMETERS.some((name) => name in (req.query as Record<string, unknown>))) return false;
  // Browsers ask for text/html first; API clients for JSON (curl's */* picks the first: JSON).
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

/**
 * GET /graphql for browsers (the page) and GET /graphql/explorer/<file> (its hashed, immutable
 * assets). Mounted before the GraphQL endpoint; anything else falls through to it. The bundle is
 * built on the first visit (a few seconds), so routers nobody browses never pay for it.
 */
export function explorer(logger: Logger): RequestHandler {
  let built: Promise<Bundle> | undefined;
  const bundled = () => {
    built ??= bundle().catch((error: unknown) => {
      built = undefined; // the next visit tries again
      throw error;
    });
    return built;
  };
  const failed = (error: unknown) => {
    logger.error({ err: error }, 'the explorer could not be bundled');
  };

  const servePage: RequestHandler = (req, res, next) => {
    if (!wantsPage(req)) return next();
    bundled().then(
      (assets) => {
        res.set({
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': EXPLORER_CSP,
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        });
        res.send(page(assets));
      },
      (error: unknown) => {
        failed(error);
        next(error);
      },
    );
  };

  const serveAsset = (file: string, res: Response, next: NextFunction) => {
    bundled().then((assets) => {
      const found = [assets.script, assets.style].find((a) => a.name === file);
      if (!found) {
        // An asset of an earlier bundle (the router restarted): the page reloads with new names.
        res
          .status(404)
          .json({ errors: [{ message: 'Not found.', extensions: { code: ErrorCode.NOT_FOUND } }] });
        return;
      }
      res.set({
        'content-type': found.type,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      });
      res.send(found.body);
    }, next);
  };

  // Not an express.Router: that would answer OPTIONS itself, before the endpoint's CORS handler.
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/graphql') return servePage(req, res, next);
    const file = req.path.startsWith(`${EXPLORER_ASSET_PATH}/`)
      ? req.path.slice(EXPLORER_ASSET_PATH.length + 1)
      : null;
    if (file) return serveAsset(file, res, next);
    next();
  };
}
