/** Parts of a variant's name that mark an image for working on the service, not for shipping it. */
const DEVELOPMENT_PARTS = new Set(['dev', 'development', 'local', 'debug']);

/**
 * Whether an image target builds a development variant (`image-dev` from `Dockerfile.dev`, `image-docker-local` from
 * `docker/local.Dockerfile`): a `dev`, `development`, `local` or `debug` part in the name after `<targetName>-`.
 */
export function isDevelopmentVariant(name: string, targetName: string): boolean {
  const variant = name.startsWith(`${targetName}-`) ? name.slice(targetName.length + 1) : name;
  return variant.split('-').some((part) => DEVELOPMENT_PARTS.has(part));
}

/**
 * The image targets `<targetName>` runs in a project whose image targets are `names`: what `nx run <project>:image`,
 * `nx affected -t image` and `hashdock image` in its folder (turbo) build, the same in each. The target of that name
 * when the project has one (`Dockerfile`; `Dockerfile.debug` beside it is built by its own name only). Else (its
 * Dockerfiles all variants: `Dockerfile.web`, `Dockerfile.dev`) every one but the development variants, which CI
 * would otherwise push beside what ships; none when they are all development variants.
 */
export function imagesRunByName(names: readonly string[], targetName: string): string[] {
  if (names.includes(targetName)) return [targetName];
  return names.filter((name) => !isDevelopmentVariant(name, targetName)).sort();
}
