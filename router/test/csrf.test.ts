// The SSE transport's CSRF check must be Apollo's own rule: compared with @apollo/server's
// preventCsrf (not exported, loaded from its build) over a matrix of requests.
import { dirname, join } from 'node:path';
import { HeaderMap } from '@apollo/server';
import { CSRF_PREVENTION_HEADERS, mayBeCrossSiteForgery } from '../src/csrf';

const { preventCsrf } = require(join(dirname(require.resolve('@apollo/server')), 'preventCsrf.js')) as {
  preventCsrf: (headers: HeaderMap, requestHeaders: string[]) => void;
};

const apolloRefuses = (headers: Record<string, string>) => {
  try {
    preventCsrf(new HeaderMap(Object.entries(headers)), CSRF_PREVENTION_HEADERS);
    return false;
  } catch {
    return true;
  }
};

const contentTypes = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'TEXT/Plain; charset=utf-8',
  ' text/plain ',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/event-stream',
  'not a mime type',
  'text/plain/extra',
  '',
];
const extras: Record<string, string>[] = [
  {},
  { 'apollo-require-preflight': 'true' },
  { 'x-apollo-operation-name': 'Login' },
  { 'apollo-require-preflight': '' },
  { 'x-other': 'yes' },
];

it.each(contentTypes.flatMap((type) => extras.map((extra) => [type ?? '(none)', extra] as const)))(
  'decides as Apollo for content-type %s and headers %j',
  (type, extra) => {
    const headers: Record<string, string> = {
      ...extra,
      ...(type === '(none)' ? {} : { 'content-type': type }),
    };
    expect(mayBeCrossSiteForgery(headers)).toBe(apolloRefuses(headers));
  },
);
