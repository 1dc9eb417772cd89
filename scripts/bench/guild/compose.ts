// The supergraph of the four benchmark subgraphs, composed with @apollo/composition. `graphNames`
// renames subgraphs in the join__Graph enum: Flow's router calls only subgraphs of Flow's catalog
// (it takes their URLs from <NAME>_URL), so for it the four are composed under catalog names.
import { composeServices } from '@apollo/composition';
import { GUILD_SUBGRAPHS, typeDefs, type GuildSubgraph } from './schemas';

export function composeGuildSupergraph(
  urls: Record<GuildSubgraph, string>,
  graphNames: Partial<Record<GuildSubgraph, string>> = {},
): string {
  const result = composeServices(
    GUILD_SUBGRAPHS.map((name) => ({
      name: graphNames[name] ?? name,
      typeDefs: typeDefs[name],
      url: urls[name],
    })),
  );
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}
