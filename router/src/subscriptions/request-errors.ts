// Refusals of a malformed request on the live transports (graphql-ws, SSE), with the codes Apollo
// Server gives the same mistakes over HTTP: a client branches on one code whatever the transport.
// The codes are framework codes that pass the production mask (maskError in @flow/core).
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';

export const parseFailed = (error: GraphQLError) =>
  new GraphQLError(error.message, {
    source: error.source,
    positions: error.positions,
    extensions: { code: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED },
  });

/** With `hideSuggestions` (production) the "Did you mean …?" hints go, as Apollo's DisableSuggestions does. */
export const validationFailed = (error: GraphQLError, hideSuggestions: boolean) =>
  new GraphQLError(hideSuggestions ? error.message.replace(/ ?Did you mean(.+?)\?$/, '') : error.message, {
    nodes: error.nodes,
    extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED },
  });

/** A request that cannot be run as sent (no such operation, a mutation over GET, …). */
export const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.BAD_REQUEST } });
