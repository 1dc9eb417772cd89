// Scenario 3 (filled in below).
import type { GraphQLClient } from '@flow/testing';
import type { FlowPlatform } from './flow-platform';

export async function runOperations(
  _platform: FlowPlatform,
  _gql: GraphQLClient,
  _options: { quick: boolean },
): Promise<unknown> {
  return { skipped: true };
}
