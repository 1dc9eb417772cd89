// Which client application a request comes from, and so which documents it may send.
import type { Viewer } from '@flow/core';
import type { ClientApplication, DocumentsMode, TrustedDocuments, TrustedOperation } from './registry';

/** Apollo's convention; `graphql-client-name` is accepted too. */
export const CLIENT_NAME_HEADERS = ['apollographql-client-name', 'graphql-client-name'] as const;

/**
 * A verified partner token names its client application (`client_name`, carried on the viewer as
 * `clientApplication`): that decides the client, and the header is then ignored.
 */
export type ClientViewer = Pick<Viewer, 'clientApplication'>;

export interface RequestClient {
  /** The application's name, or null when the request names none (or an unknown one). */
  name: string | null;
  application: ClientApplication | null;
  /** Where the client was read from. */
  source: 'token' | 'header' | 'none';
  mode: DocumentsMode;
  /** The ids this request may send. */
  operations: ReadonlyMap<string, TrustedOperation>;
  /** Whether it may register automatic persisted queries (hash + query). */
  mayRegister: boolean;
}

export interface ClientPolicy {
  documents: TrustedDocuments;
  /** TRUSTED_DOCUMENTS_DEFAULT_MODE: for requests that name no known client. */
  defaultMode: DocumentsMode;
  production: boolean;
}

const strictness: Record<DocumentsMode, number> = { arbitrary: 0, 'ids-allowed': 1, 'ids-required': 2 };
const stricter = (a: DocumentsMode, b: DocumentsMode) => (strictness[a] >= strictness[b] ? a : b);
const NONE: ReadonlyMap<string, TrustedOperation> = new Map();

/** The application's own mode: partners in production always need ids. */
function modeOf(application: ClientApplication, production: boolean): DocumentsMode {
  return production && application.kind === 'partner' ? 'ids-required' : application.documents;
}

function describe(
  name: string | null,
  application: ClientApplication | null,
  source: RequestClient['source'],
  mode: DocumentsMode,
  operations: ReadonlyMap<string, TrustedOperation>,
): RequestClient {
  const mayRegister = mode !== 'ids-required' && application?.kind !== 'partner';
  return { name, application, source, mode, operations, mayRegister };
}

/**
 * The client of a request:
 * - a token naming a client application: that application, in its own mode (an application with
 *   no manifest here may send nothing: ids required, none listed); the header is ignored;
 * - else the `apollographql-client-name` (or `graphql-client-name`) header naming a known client:
 *   its manifest, in its mode or the default mode, whichever is stricter (a header is a claim, not
 *   a credential: it can tighten the rules, never relax them);
 * - else (no header, or an unknown name): the default mode and the first-party manifests.
 */
export function clientOfRequest(
  request: { header: (name: string) => string | undefined; viewer: ClientViewer | null },
  policy: ClientPolicy,
): RequestClient {
  const claimed = request.viewer?.clientApplication?.name;
  if (claimed) {
    const application = policy.documents.clients.get(claimed) ?? null;
    if (!application) return describe(claimed, null, 'token', 'ids-required', NONE);
    return describe(
      claimed,
      application,
      'token',
      modeOf(application, policy.production),
      application.operations,
    );
  }
  for (const header of CLIENT_NAME_HEADERS) {
    const name = request.header(header)?.trim();
    if (!name) continue;
    const application = policy.documents.clients.get(name);
    if (!application) break;
    const mode = stricter(modeOf(application, policy.production), policy.defaultMode);
    return describe(name, application, 'header', mode, application.operations);
  }
  return describe(null, null, 'none', policy.defaultMode, policy.documents.firstParty);
}
