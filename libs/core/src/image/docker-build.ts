import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { BuildImageDeps } from './build-image';
import { ExternalBase, pinLiteralFroms } from './external-bases';
import { hostPlatform, ImageBuildOptions } from './image-options';
import { HashdockError } from '../errors';
import { LABEL_CONTENT_HASH, LABEL_PROJECT } from './image-labels';
import { withSecretFiles } from './secret-files';
import { checkSshForwards } from './ssh-forwards';

/**
 * Run `work` with the Dockerfile the build should read: the user's own, or a temporary copy (its literal
 * FROMs naming their digests) with the ignore file BuildKit should apply beside it, since BuildKit looks
 * for `<Dockerfile>.dockerignore` there: the user's own copied, or `ignoreText` (pruneContext: the user's
 * lines and the pruned projects', exactly what the hash read).
 */
async function withPinnedDockerfile<T>(options: ImageBuildOptions, text: string, bases: readonly ExternalBase[], ignoreText: string | undefined, work: (dockerfile: string) => Promise<T>): Promise<T> {
  const pins = bases.some((base) => !base.arg);
  if (!pins && ignoreText === undefined) return work(options.dockerfile);
  const dir = await fs.mkdtemp(join(tmpdir(), 'hashdock-dockerfile-'));
  try {
    const dockerfile = join(dir, basename(options.dockerfile));
    await fs.writeFile(dockerfile, pins ? pinLiteralFroms(options.dockerfile, text, bases) : text);
    if (ignoreText !== undefined) await fs.writeFile(`${dockerfile}.dockerignore`, ignoreText);
    else await fs.copyFile(`${options.dockerfile}.dockerignore`, `${dockerfile}.dockerignore`).catch(() => undefined);
    return await work(dockerfile);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** What one docker build is given besides the options: the Dockerfile as read, its pinned bases, the hash it carries. */
export interface DockerBuildPlan {
  dockerfileText: string;
  externalBases: ExternalBase[];
  buildArgs: Record<string, string>;
  hash: string;
  cacheFrom: string[];
  localTags: string[];
  /** The context's ignore text when pruning wrote it (see prunedIgnore); the ignore file's own otherwise. */
  ignoreText?: string;
}

/** A docker build for a platform this machine cannot run: a RUN in a stage built for it needs an emulator. */
export class PlatformEmulationError extends HashdockError {
  constructor(dockerfile: string, platform: string, options?: { cause?: unknown }) {
    super(
      'PLATFORM_EMULATION',
      `${dockerfile}: a RUN in a stage built for ${platform} cannot run on this ${hostPlatform()} machine (exec format error). ` +
        'Run those stages on the build platform (FROM --platform=$BUILDPLATFORM …, then COPY --from into the target stage), ' +
        'or register an emulator for it where images are built (QEMU binfmt: docker/setup-qemu-action in GitHub Actions).',
      options,
    );
  }
}

/**
 * docker build of the image under `localTags` (one platform), from the Dockerfile with its external bases pinned. A RUN
 * that cannot execute on this machine (another platform, no emulator) fails as a PlatformEmulationError.
 */
export async function dockerBuild(
  options: ImageBuildOptions,
  deps: BuildImageDeps,
  build: DockerBuildPlan,
): Promise<void> {
  checkSshForwards(options.ssh ?? [], { ...process.env, ...options.env });
  try {
    await pinnedBuild(options, deps, build);
  } catch (error) {
    if (options.platform !== hostPlatform() && /exec format error/i.test((error as Error).message)) throw new PlatformEmulationError(options.dockerfile, options.platform, { cause: error });
    throw error;
  }
}

async function pinnedBuild(
  options: ImageBuildOptions,
  deps: BuildImageDeps,
  build: DockerBuildPlan,
): Promise<void> {
  await withPinnedDockerfile(options, build.dockerfileText, build.externalBases, build.ignoreText, (dockerfile) =>
    withSecretFiles(
      options.secrets,
      process.env,
      (secretFiles) =>
        deps.docker.build(
          {
            secretFiles,
            ...(options.ssh?.length ? { ssh: options.ssh } : {}),
            ...(options.network ? { network: options.network } : {}),
            ...(options.addHosts?.length ? { addHosts: options.addHosts } : {}),
            dockerfile,
            contextDir: options.contextDir,
            ...(options.buildContexts ? { namedContexts: options.buildContexts } : {}),
            tags: build.localTags,
            buildArgs: build.buildArgs,
            cacheFrom: build.cacheFrom,
            platform: options.platform,
            ...(options.stage ? { target: options.stage } : {}),
            labels: { ...options.labels, [LABEL_CONTENT_HASH]: build.hash, [LABEL_PROJECT]: options.project },
            inlineCache: true,
            noCache: options.noCache,
            progress: 'plain',
          },
          options.env,
          deps.signal,
        ),
      options.secretFiles,
    ),
  );
}
