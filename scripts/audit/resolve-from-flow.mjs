// A module resolution hook for the suite's server (suite-server.mjs): a package the suite's
// checkout does not have (graphql is only its peer and dev dependency, absent after
// `npm ci --omit=dev`) is resolved from Flow's node_modules instead. Everything else resolves as usual.
const flowRoot = new URL('../../', import.meta.url).href;

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const bare = !/^(\.|\/|file:|node:|data:)/.test(specifier);
    if (!bare || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return next(specifier, { ...context, parentURL: flowRoot });
  }
}
