export interface BuildCommandOptions {
  dockerfile: string;
  contextDir: string;
  /** Named build contexts: name → directory (`--build-context name=dir`). */
  namedContexts?: Record<string, string>;
  tags: readonly string[];
  buildArgs?: Record<string, string>;
  cacheFrom?: readonly string[];
  platform?: string;
  /** The stage to build (`--target`); the last one when unset. */
  target?: string;
  labels?: Record<string, string>;
  /** Embed BuildKit's inline cache so a fresh daemon can reuse layers via --cache-from. */
  inlineCache?: boolean;
  noCache?: boolean;
  /** BuildKit secrets: id → file path. Never build args: those land in image history. */
  secretFiles?: Record<string, string>;
  /** SSH forwards for RUN --mount=type=ssh (`default`, `<id>=<socket or key>`). */
  ssh?: readonly string[];
  /** The network RUN instructions get (`host`, `none`); docker's default when unset. */
  network?: string;
  /** `name:ip` entries for RUN's /etc/hosts. */
  addHosts?: readonly string[];
  progress?: 'plain' | 'auto' | 'tty';
  /**
   * `--load` (buildx only): the image lands in docker's image store whatever the current builder's driver. A
   * docker-container builder (what docker/setup-buildx-action makes current in CI) otherwise keeps the result in
   * its build cache, and the push that follows finds no image of that name.
   */
  load?: boolean;
}

function sorted(record: Record<string, string> | undefined): [string, string][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Argv for `docker build`. Pure, so tests check exact argv. */
export function buildCommandArgs(options: BuildCommandOptions): string[] {
  const args = ['build', '--file', options.dockerfile];
  if (options.progress) args.push('--progress', options.progress);
  if (options.load) args.push('--load');
  if (options.platform) args.push('--platform', options.platform);
  if (options.target) args.push('--target', options.target);
  for (const [name, value] of sorted(options.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  if (options.inlineCache) args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1');
  for (const [name, value] of sorted(options.labels)) args.push('--label', `${name}=${value}`);
  for (const [id, path] of sorted(options.secretFiles)) args.push('--secret', `id=${id},src=${path}`);
  for (const forward of options.ssh ?? []) args.push('--ssh', forward);
  if (options.network && options.network !== 'default') args.push('--network', options.network);
  for (const host of options.addHosts ?? []) args.push('--add-host', host);
  for (const source of options.cacheFrom ?? []) args.push('--cache-from', source);
  if (options.noCache) args.push('--no-cache');
  for (const tag of options.tags) args.push('--tag', tag);
  for (const [name, dir] of sorted(options.namedContexts)) args.push('--build-context', `${name}=${dir}`);
  args.push(options.contextDir);
  return args;
}
