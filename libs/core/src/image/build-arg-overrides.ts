/** The environment variable prefix that overrides a build arg: `HASHDOCK_BUILD_ARG_<NAME>`. */
export const BUILD_ARG_ENV_PREFIX = 'HASHDOCK_BUILD_ARG_';

/** `HASHDOCK_BUILD_ARG_ROOT_IMAGE=node:24-slim` overrides the build arg ROOT_IMAGE (e.g. in CI). */
export function buildArgOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([name, value]) => name.startsWith(BUILD_ARG_ENV_PREFIX) && name.length > BUILD_ARG_ENV_PREFIX.length && value !== undefined)
      .map(([name, value]) => [name.slice(BUILD_ARG_ENV_PREFIX.length), value as string]),
  );
}
