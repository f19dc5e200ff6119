import { posix } from 'node:path';
import { dockerfileVariant, IMAGE_EXECUTOR, PLUGIN_NAME } from '@hashdock/core';
import { settingsAsOptions } from './build-settings';
import { repositoryName } from './carry-over';
import type { ConfiguredBuild } from './context-evidence';

/** How a workspace path is written in a target's options, from any project. */
const fromRoot = (path: string) => (path === '.' ? '{workspaceRoot}' : `{workspaceRoot}/${path}`);

/**
 * For each Dockerfile no project owns that the workspace builds today (a Makefile's recipe, a CI step):
 * the image target that builds it the same way, ready to declare in the project it belongs to, one per
 * distinct way it is built (hyperdx's Makefile builds docker/hyperdx/Dockerfile as three stages).
 */
export function unownedBuildNotes(unowned: readonly string[], builds: readonly ConfiguredBuild[], targetName: string): { notes: string[]; dockerfiles: string[] } {
  const notes: string[] = [];
  const dockerfiles: string[] = [];
  for (const dockerfile of unowned) {
    // Told apart by what makes another image; the platforms of builds otherwise alike (a CI matrix) are one list.
    const ways = new Map<string, { said: string; leftOut: string[]; options: Record<string, unknown>; platforms: string[] }>();
    for (const build of builds.filter((one) => one.dockerfile === dockerfile)) {
      const carried = settingsAsOptions(build.settings);
      const { platform, ...settings } = carried.options;
      const options: Record<string, unknown> = { dockerfile: fromRoot(dockerfile), context: fromRoot(build.context), ...settings };
      const key = JSON.stringify(options);
      const way = ways.get(key) ?? { said: build.said, leftOut: carried.leftOut, options, platforms: [] as string[] };
      for (const one of typeof platform === 'string' ? platform.split(',') : []) if (!way.platforms.includes(one)) way.platforms.push(one);
      // The name its image has today (`-t acme/backend`: `backend`), its first build's: one image pushed under two
      // names (GHCR and Docker Hub, by two workflows) is still one way to build it.
      const name = repositoryName(build.settings.image);
      if (name && way.options.name === undefined) way.options = { ...way.options, name };
      ways.set(key, way);
    }
    if (ways.size === 0) continue;
    dockerfiles.push(dockerfile);
    // Named as Hashdock names a project's Dockerfiles (`Dockerfile.db-migrate`: `image-db-migrate`), so two declared in one project do not collide.
    const variant = dockerfileVariant(posix.dirname(dockerfile), dockerfile);
    const name = variant ? `${targetName}-${variant}` : targetName;
    // Several ways (hoppscotch's prod.Dockerfile, four stages pushed as four images): a target each, named by its stage.
    const all = [...ways.values()];
    const stages = all.map((way) => (typeof way.options.stage === 'string' ? way.options.stage.toLowerCase().replace(/[^a-z0-9-]+/g, '-') : ''));
    const byStage = all.length > 1 && stages.every((stage, i) => stage !== '' && stages.indexOf(stage) === i);
    const nameOf = (i: number) => (all.length === 1 ? name : byStage ? `${targetName}-${stages[i]}` : `${name}-${i + 1}`);
    const shown = all.slice(0, 3).map((way, i) => {
      const target = { executor: IMAGE_EXECUTOR, options: { ...way.options, ...(way.platforms.length ? { platform: way.platforms.join(',') } : {}) } };
      return `${way.said}: "${nameOf(i)}": ${JSON.stringify(target)}${way.leftOut.length ? ` (not carried: ${way.leftOut.join('; ')})` : ''}`;
    });
    // Its folder may be an app of its own that no package.json or project.json names (a Go service in a JS monorepo).
    const folder = posix.dirname(dockerfile);
    const own = folder === '.' ? '' : ` Or make ${folder} a project (a project.json there: {"name":"${posix.basename(folder)}","targets":{…}}) and declare them in it.`;
    notes.push(
      `${PLUGIN_NAME}: ${dockerfile} is built today, but no project owns it. To build it with Hashdock, declare in the project it belongs to (project.json "targets", or package.json "nx"."targets") ` +
        `${ways.size > 1 ? 'a target for each way it is built' : 'this target'}: ${shown.join('; ')}${ways.size > 3 ? `; and ${ways.size - 3} more` : ''}.${own}`,
    );
  }
  return { notes, dockerfiles };
}
