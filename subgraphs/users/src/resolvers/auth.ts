import type { MutationResolvers } from '../generated/resolvers-types';
import type { Context } from '../context';
import type { AuthResult } from '../services/auth-service';

/** The user of a fresh session is visible to the caller as themselves for the rest of the request. */
const signedIn = (ctx: Context, result: AuthResult) => {
  ctx.signedInUserIds.add(result.user.id);
  return result;
};

export const authMutations: Pick<
  MutationResolvers,
  'registerOrganization' | 'login' | 'refreshSession' | 'logout'
> = {
  registerOrganization: async (_, { input }, ctx) =>
    signedIn(ctx, await ctx.services.auth.registerOrganization(ctx, input)),
  login: async (_, { email, password }, ctx) =>
    signedIn(ctx, await ctx.services.auth.login(ctx, email, password)),
  refreshSession: async (_, { refreshToken }, ctx) =>
    signedIn(ctx, await ctx.services.auth.refreshSession(ctx, refreshToken)),
  logout: (_, { refreshToken }, ctx) => ctx.services.auth.logout(ctx, refreshToken),
};
