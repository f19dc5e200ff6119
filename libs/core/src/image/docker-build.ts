import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { BuildImageDeps } from './build-image';
import { ExternalBase, pinLiteralFroms } from './external-bases';
import { ImageBuildOptions } from './image-options';
import { LABEL_CONTENT_HASH, LABEL_PROJECT } from './image-labels';
import { withSecretFiles } from './secret-files';
import { checkSshForwards } from './ssh-forwards';

/**
 * Run `work` with the Dockerfile the build should read: the user's own, or a
 * temporary copy whose literal FROMs name their digests (its
 * `<Dockerfile>.dockerignore` copied beside it, since BuildKit looks there).
 */
async function withPinnedDockerfile<T>(options: ImageBuildOptions, text: string, bases: readonly ExternalBase[], work: (dockerfile: string) => Promise<T>): Promise<T> {
  if (!bases.some((base) => !base.arg)) return work(options.dockerfile);
  const pinned = pinLiteralFroms(options.dockerfile, text, bases);
  const dir = await fs.mkdtemp(join(tmpdir(), 'hashdock-dockerfile-'));
  try {
    const dockerfile = join(dir, basename(options.dockerfile));
    await fs.writeFile(dockerfile, pinned);
    await fs.copyFile(`${options.dockerfile}.dockerignore`, `${dockerfile}.dockerignore`).catch(() => undefined);
    return await work(dockerfile);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** docker build of the image under `localTags`, from the Dockerfile with its external bases pinned. */
export async function dockerBuild(
  options: ImageBuildOptions,
  deps: BuildImageDeps,
  build: { dockerfileText: string; externalBases: ExternalBase[]; buildArgs: Record<string, string>; hash: string; cacheFrom: string[]; localTags: string[] },
): Promise<void> {
  checkSshForwards(options.ssh ?? [], { ...process.env, ...options.env });
  await withPinnedDockerfile(options, build.dockerfileText, build.externalBases, (dockerfile) =>
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
