// Apollo Server's CSRF prevention (`csrfPrevention`, @apollo/server src/preventCsrf.ts), as one
// function for the requests the router answers without Apollo (Server-Sent Events). The router
// hands Apollo the same header list, so HTTP and SSE apply exactly one rule.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A browser sends any of these cross-site only after a CORS preflight the router answered: a
 * request carrying one cannot be a forgery. Apollo's recommended list.
 */
export const CSRF_PREVENTION_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

/** The content types a browser may send cross-site without a preflight ("simple" requests). */
const NON_PREFLIGHTED_CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
];

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `type/subtype` of a MIME type, lower case, or null when it does not parse (as whatwg-mimetype). */
function mimeEssence(value: string): string | null {
  const [essence = ''] = value.split(';');
  const [type, subtype, extra] = essence.trim().split('/');
  if (extra !== undefined || !type || !subtype || !TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  return `${type}/${subtype}`.toLowerCase();
}

const present = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value.join(', ') : (value ?? '')).length > 0;

/**
 * True when the request could have been sent by a page of another site without a preflight (a
 * GET, or a POST with a "simple" content type) and carries none of CSRF_PREVENTION_HEADERS. Such
 * a request is refused before anything runs (400 BAD_REQUEST, as Apollo does).
 */
export function mayBeCrossSiteForgery(headers: IncomingHttpHeaders): boolean {
  const contentType = headers['content-type'];
  if (contentType !== undefined) {
    const essence = mimeEssence(contentType);
    // A type a browser cannot send in a simple request (or none it could parse) needs a preflight.
    if (essence === null || !NON_PREFLIGHTED_CONTENT_TYPES.includes(essence)) return false;
  }
  return !CSRF_PREVENTION_HEADERS.some((header) => present(headers[header]));
}

export const CSRF_REFUSAL_MESSAGE =
  `This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either ` +
  `specify a 'content-type' header (with a type that is not one of ` +
  `${NON_PREFLIGHTED_CONTENT_TYPES.join(', ')}) or provide a non-empty value for one of the ` +
  `following headers: ${CSRF_PREVENTION_HEADERS.join(', ')}`;
