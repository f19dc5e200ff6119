import { posix } from 'node:path';
import { getProjects, Tree } from '@nx/devkit';
import { owningProjectRoot, parseRepository, secretLikeArg } from '@hashdock/core';
import { ConfiguredBuild } from './context-evidence';
import { dockerfileBuildsProject } from './dockerfile-builds-project';

/** Builds given to the projects whose images they make, and what that says. */
export interface AttributedBuilds {
  builds: ConfiguredBuild[];
  /** Dockerfiles every build of which is now another project's: their own inferred target would build none of them. */
  othersOnly: { dockerfile: string; projects: string[] }[];
  /** Dockerfiles built with several sets of build args that could not be told apart by project: one line each. */
  untold: string[];
}

/**
 * One Dockerfile built several ways (sets of build args, or stages) by no project's own target or script (a
 * root `Dockerfile` with `ARG APP`, built as compose services `api` and `web`, by root scripts or CI jobs;
 * hoppscotch's `prod.Dockerfile` built as four stages) makes several projects' images. Each set is given to the
 * project it names (`from`, as if that project ran it; see sharedDockerfileBuilds): by its compose service, the
 * repository it tags, a build arg's value or its stage, equal to the project's name (npm scope dropped) or folder
 * name; when each set names one project and no two sets the same one. Otherwise, when the sets name two projects or
 * more, each set that alone names a project is that project's, and the Dockerfile is named as untold for the rest
 * (only its first build is carried over); sets naming one project or none are one image's variants (environments),
 * whose first is carried as before, unsaid. A Dockerfile at the root
 * (or in no project) built one way only is given to the project its RUN lines build (dockerfileBuildsProject).
 */
export function attributeBuilds(tree: Tree, builds: readonly ConfiguredBuild[]): AttributedBuilds {
  const projects = [...getProjects(tree)].filter(([, project]) => project.root !== '.');
  const named = (word: string) =>
    projects.filter(([name, project]) => [name, name.replace(/^@[^/]+\//, ''), posix.basename(project.root)].includes(word)).map(([, project]) => project.root);
  const result: AttributedBuilds = { builds: [...builds], othersOnly: [], untold: [] };
  const unowned = (build: ConfiguredBuild) => build.from === undefined || build.from === '.';
  for (const dockerfile of new Set(builds.filter(unowned).map((build) => build.dockerfile))) {
    const of = builds.filter((build) => build.dockerfile === dockerfile && unowned(build));
    const sets = new Map<string, ConfiguredBuild[]>();
    // A set per way it is built: its build args and its stage (hoppscotch's prod.Dockerfile, built as stages backend,
    // app, sh_admin and aio: four images).
    for (const build of of) {
      const key = `${argsText(build)}\0${build.settings.stage ?? ''}`;
      sets.set(key, [...(sets.get(key) ?? []), build]);
    }
    if (sets.size < 2) {
      // One way it is built, from the root or from no project: the project its own RUN lines build (Dokploy's root
      // Dockerfile.server: `pnpm --filter=./apps/api … deploy`) is where its image goes, unless a root project.json
      // claims the root's Dockerfiles.
      const owner = owningProjectRoot(tree.root, dockerfile, (path) => tree.exists(path));
      const builtBy = (owner === undefined || owner === '.') && !tree.exists('project.json') ? dockerfileBuildsProject(tree, dockerfile) : undefined;
      if (builtBy === undefined) continue;
      for (const build of of) result.builds[result.builds.indexOf(build)] = { ...build, from: builtBy, named: true };
      if (owner !== undefined) result.othersOnly.push({ dockerfile, projects: [builtBy] });
      continue;
    }
    // A stage naming no project by its names is the project the stages it reaches build (hoppscotch's `app`: the
    // frontend's folders), where they build one.
    const owners = [...sets.values()].map((set) => {
      const roots = new Set(set.flatMap((build) => namesOf(build).flatMap(named)));
      const stage = set[0].settings.stage;
      const built = roots.size === 0 && stage !== undefined ? dockerfileBuildsProject(tree, dockerfile, stage) : undefined;
      return built !== undefined ? new Set([built]) : roots;
    });
    const told = owners.every((roots) => roots.size === 1) && new Set(owners.map((roots) => [...roots][0])).size === owners.length;
    if (!told) {
      // Said only when the sets name two projects or more (several apps, some not matched); otherwise they are one
      // image's variants (ever-gauzy's demo and prod CI builds and its compose service "api"), carried as before: the first.
      // A set that alone names one project is that project's (hoppscotch's stage backend, compose service
      // hoppscotch-backend); the others are said.
      if (new Set(owners.flatMap((roots) => [...roots])).size >= 2) {
        const sole = (i: number) => owners[i].size === 1 && owners.filter((roots) => roots.has([...owners[i]][0])).length === 1;
        const left = [...sets.values()].filter((set, i) => {
          if (!sole(i)) return true;
          for (const build of set) result.builds[result.builds.indexOf(build)] = { ...build, from: [...owners[i]][0] };
          return false;
        });
        result.untold.push(`${dockerfile}, built ${sets.size} ways${left.length < sets.size ? `, of which these are no one project's` : ''} (${left.map((set) => `${set[0].said}: ${wayText(set[0])}`).join('; ')})`);
      }
      continue;
    }
    [...sets.values()].forEach((set, i) => {
      const root = [...owners[i]][0];
      for (const build of set) result.builds[result.builds.indexOf(build)] = { ...build, from: root };
    });
    // Every build of it is another project's now, unless the project holding it runs one itself (the root's scripts were given away above).
    const owner = owningProjectRoot(tree.root, dockerfile, (path) => tree.exists(path));
    const ownBuild = owner !== '.' && builds.some((build) => build.dockerfile === dockerfile && build.from === owner);
    if (owner !== undefined && !ownBuild)
      result.othersOnly.push({ dockerfile, projects: owners.map((roots) => [...roots][0]) });
  }
  return result;
}

/**
 * A build's build args as one string (`APP=api, TIER=web`; a value-less one by its name): the key that
 * tells sets apart, or, `said`, as a message shows them (a variable's or a credential's value by name only).
 */
function argsText(build: ConfiguredBuild, said = false): string {
  const hidden = (name: string, value: string | undefined) => value === undefined || (said && (value.includes('$') || secretLikeArg(name)));
  return Object.entries(build.settings.buildArgs ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => (hidden(name, value) ? name : `${name}=${value}`))
    .join(', ');
}

/** A way a Dockerfile is built, as a message shows it: its build args (see argsText) and its stage. */
function wayText(build: ConfiguredBuild): string {
  return [argsText(build, true), build.settings.stage ? `stage ${build.settings.stage}` : ''].filter(Boolean).join(', ') || 'no build args';
}

/** What may name the project a build makes the image of: its compose service, its repository's last part, its build args' values, its stage. */
function namesOf(build: ConfiguredBuild): string[] {
  const names = [
    ...(build.service ? [build.service] : []),
    ...Object.values(build.settings.buildArgs ?? {}).filter((value): value is string => typeof value === 'string'),
    ...(build.settings.stage ? [build.settings.stage] : []),
  ];
  const reference = build.settings.image?.toLowerCase().split('@')[0];
  // Its tag dropped (a registry's port is no tag: a colon before the last slash).
  const repository = reference !== undefined && reference.lastIndexOf(':') > reference.lastIndexOf('/') ? reference.slice(0, reference.lastIndexOf(':')) : reference;
  try {
    if (repository) names.push(parseRepository(repository).path.split('/').pop()!);
  } catch {
    // Not a repository: it names nothing.
  }
  return names;
}
