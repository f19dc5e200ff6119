import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import {
  createAuthorizer,
  isHashdockError,
  packageVersionAt,
  publishReleaseVersion,
  readHashdockConfig,
  RegistryClient,
  releaseVersionOf,
} from '@hashdock/core';
import type { ReleasePublishExecutorSchema } from './schema';

/** `nx release publish` for a project's images: its release version as tags on the digests its image targets pushed. */
export default async function releasePublishExecutor(options: ReleasePublishExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName ?? '';
  const dryRun = options.dryRun === true || process.env.NX_DRY_RUN === 'true';
  try {
    const packageJsonPath = join(context.projectsConfigurations.projects[project].root, 'package.json');
    const version = releaseVersionOf({
      project,
      version: options.version,
      versionData: options.nxReleaseVersionData,
      packageVersion: await packageVersionAt(join(context.root, packageJsonPath)),
      packageJsonPath,
    });
    if (version === null) {
      console.log(`hashdock release ${project}: nx release resolved no new version for it; nothing tagged`);
      return { success: true };
    }
    const results = await publishReleaseVersion({
      client: new RegistryClient({ authorize: createAuthorizer() }),
      manifestDir: join(context.root, options.manifestDir ?? readHashdockConfig(context.root).manifestDir),
      project,
      version,
      templates: options.versionTags,
      aliasTemplates: options.aliasTags,
      force: options.force,
      dryRun,
    });
    for (const result of results) {
      // Version tags, then aliases: a record lists a tag such as `1` first.
      const order = [...Object.keys(result.tags).filter((tag) => !result.aliases.includes(tag)), ...result.aliases];
      const said = order.map((tag) => `${tag} ${result.tags[tag]}`);
      console.log(`hashdock release ${result.image} ${version}${dryRun ? ' (dry run: nothing written)' : ''}: ${result.repository}@${result.digest} ${said.join(', ')}`);
    }
    return { success: !results.some((result) => Object.values(result.tags).includes('conflict')) };
  } catch (error) {
    console.error(`hashdock release ${project} failed\n${isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error))}`);
    return { success: false };
  }
}
