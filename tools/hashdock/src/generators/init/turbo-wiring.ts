import { posix } from 'node:path';
import { getProjects, readJson, Tree, updateJson } from '@nx/devkit';
import { BRANCH_ENV, IMAGE_EXECUTOR, imagesRunByName, owningProjectRoot } from '@hashdock/core';
import { workspacePackages } from './workspace-packages';

/** An image target the plugin infers: its project's root, its name, the roots of the workspace images it is FROM. */
export interface WiredImage {
  root: string;
  targetName: string;
  baseRoots: readonly string[];
  /** Whether it waits for the project's build (a Dockerfile that builds its sources itself does not: buildRunIn). */
  waitsForBuild: boolean;
}

export interface TurboWiring {
  /** package.json files given an image script. */
  scripts: string[];
  /** Whether turbo.json got the task. */
  task: boolean;
  /** Projects with an image that turbo cannot run this way, each with why. */
  left: string[];
  /** `<package>#<task>` entries that build an image after the workspace images it is FROM. */
  edges: string[];
  /** `<package>#<task>` entries whose waiting for the package's build differs from the task's (its Dockerfile builds inside, or not), each said so. */
  builds: string[];
}

/**
 * A turbo workspace (turbo.json at the root) runs the images with turbo too: each project holding an image target
 * gets a `"<target>": "hashdock image"` script in its package.json (every image target of the project, as the CLI
 * runs them) and its target the executor named (else Nx would run the script), and turbo.json an uncached task of
 * that name after the project's build (where its Dockerfile does not build the sources itself) and its dependencies'
 * images, with the variables Hashdock reads let through turbo's strict environment. What is there already is kept. The root project is left to the user (turbo runs a
 * root script only as `//#<task>`), as is a project without package.json, one the package manager's workspace leaves
 * out (turbo runs workspace packages only), or one with another script of that name.
 */
export async function wireTurbo(
  tree: Tree,
  targetName: string,
  dockerfiles: readonly string[],
  excluded: readonly string[],
  images: readonly WiredImage[] = [],
): Promise<TurboWiring | undefined> {
  if (!tree.exists('turbo.json')) return undefined;
  const packages = await workspacePackages(tree);
  const roots = new Set<string>();
  for (const dockerfile of dockerfiles) {
    if (excluded.includes(dockerfile)) continue;
    const root = owningProjectRoot(tree.root, dockerfile, (path) => tree.exists(path));
    if (root !== undefined) roots.add(root);
  }
  for (const [, project] of getProjects(tree)) if (Object.values(project.targets ?? {}).some((target) => target.executor === IMAGE_EXECUTOR)) roots.add(project.root);
  const wiring: TurboWiring = { scripts: [], task: false, left: [], edges: [], builds: [] };
  const wired: string[] = [];
  for (const root of [...roots].sort()) {
    const manifest = posix.join(root, 'package.json');
    if (root === '.' || root === '') {
      wiring.left.push(`the workspace root's image (turbo runs a root script only as a "//#${targetName}" task: add the script "${targetName}": "hashdock image" and that task to run it)`);
      continue;
    }
    if (!tree.exists(manifest)) {
      wiring.left.push(`${root} (no package.json: turbo does not run it; nx run-many -t ${targetName} does)`);
      continue;
    }
    if (packages && !packages.roots.has(root)) {
      wiring.left.push(`${root} (${packages.declaredIn} leaves it out of the workspace packages: turbo does not run it; nx run-many -t ${targetName} does)`);
      continue;
    }
    const known = images.filter((image) => image.root === root).map((image) => image.targetName);
    const runs = imagesRunByName(known, targetName);
    if (known.length > 0 && runs.length === 0) {
      wiring.left.push(`${root} (its images are development variants only, ${known.sort().join(', ')}: "${targetName}" builds none of them; hashdock image --target <name> builds one)`);
      continue;
    }
    const script = ((readJson(tree, manifest) as { scripts?: Record<string, string> }).scripts ?? {})[targetName];
    if (script !== undefined && !/\bhashdock image\b/.test(script)) {
      wiring.left.push(`${manifest} (its "${targetName}" script runs something else: ${script})`);
      continue;
    }
    wired.push(root);
    if (script === undefined) {
      updateJson(tree, manifest, (json: { scripts?: Record<string, string> }) => ({ ...json, scripts: { ...json.scripts, [targetName]: 'hashdock image' } }));
      wiring.scripts.push(manifest);
    }
    // Nx reads a package.json script as a target of its name (nx:run-script), over what plugins infer: the target
    // names its executor where the project's own configuration is, so Nx keeps running Hashdock's. A project whose
    // images are all variants (`Dockerfile.bun`, `Dockerfile.pnpm`: image-bun, image-pnpm) has no target of that name:
    // it gets one that runs them but the development ones (nx:noop after them), as `hashdock image` does, not a third image.
    const config = tree.exists(posix.join(root, 'project.json')) ? posix.join(root, 'project.json') : manifest;
    updateJson(tree, config, (json: Record<string, unknown>) => {
      const holder = (config === manifest ? { ...(json.nx as Record<string, unknown> | undefined) } : json) as { targets?: Record<string, Record<string, unknown>> };
      const target = holder.targets?.[targetName] ?? {};
      if (target.executor !== undefined) return json;
      const variants = known.length && !known.includes(targetName) && target.options === undefined ? runs : undefined;
      const declared = variants ? { executor: 'nx:noop', dependsOn: variants } : { executor: IMAGE_EXECUTOR, ...target };
      const targets = { ...holder.targets, [targetName]: declared };
      return config === manifest ? { ...json, nx: { ...holder, targets } } : { ...json, targets };
    });
  }
  if (roots.size === 0) return wiring;
  const packageName = (root: string) => {
    const manifest = posix.join(root, 'package.json');
    const name = root !== '.' && root !== '' && tree.exists(manifest) ? (readJson(tree, manifest) as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : undefined;
  };
  // Whether a package's images wait for its build: one that builds its sources in the Dockerfile (turbo prune, install,
  // turbo run build inside) does not, and the host's build would be minutes for bytes never sent. Unknown: it waits.
  const waits = (root: string) => !images.some((image) => image.root === root) || images.some((image) => image.root === root && image.waitsForBuild);
  updateJson(tree, 'turbo.json', (json: Record<string, unknown>) => {
    // turbo 2 names them `tasks`, turbo 1 `pipeline`.
    const key = json.tasks === undefined && json.pipeline !== undefined ? 'pipeline' : 'tasks';
    const tasks = { ...((json[key] ?? {}) as Record<string, unknown>) };
    const hasBuild = tasks.build !== undefined;
    if (tasks[targetName] === undefined) {
      wiring.task = true;
      // After the build where most packages' images need it (the others get their own entry below).
      const waiting = wired.filter(waits).length;
      // Not cached: the registry check decides. The variables that change an image are its inputs; the rest reach it.
      tasks[targetName] = {
        dependsOn: [...(hasBuild && waiting * 2 >= wired.length ? ['build'] : []), `^${targetName}`],
        cache: false,
        env: ['HASHDOCK_*', 'SOURCE_DATE_EPOCH'],
        passThroughEnv: ['DOCKER_*', 'SSH_AUTH_SOCK', 'GITHUB_STEP_SUMMARY', ...BRANCH_ENV.filter((name) => !name.startsWith('HASHDOCK_'))],
      };
    }
    // An image FROM a workspace image runs after it, as Nx orders them: turbo knows only package dependencies, and a
    // base image is seldom one. A `<package>#<task>` entry replaces the task's definition for that package: the same
    // definition, its bases' tasks added, and the build dropped or added where its images differ from the task's.
    const generic = tasks[targetName] as { dependsOn?: string[] } & Record<string, unknown>;
    const genericWaits = (generic.dependsOn ?? []).includes('build');
    const bases = new Map<string, Set<string>>();
    for (const { root, baseRoots } of images)
      for (const baseRoot of baseRoots) {
        const [name, base] = [packageName(root), packageName(baseRoot)];
        if (!name || !base || name === base || !roots.has(root)) continue;
        bases.set(name, (bases.get(name) ?? new Set()).add(`${base}#${targetName}`));
      }
    const entries = new Map<string, { needs: string[]; build: boolean }>();
    for (const [name, needs] of bases) entries.set(name, { needs: [...needs].sort(), build: genericWaits });
    for (const root of wired) {
      const name = packageName(root);
      if (!name || !hasBuild || waits(root) === genericWaits) continue;
      entries.set(name, { needs: entries.get(name)?.needs ?? [], build: waits(root) });
    }
    for (const [name, { needs, build }] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
      const entry = `${name}#${targetName}`;
      if (tasks[entry] !== undefined) continue;
      const own = (generic.dependsOn ?? []).filter((dependency) => dependency !== 'build');
      tasks[entry] = { ...generic, dependsOn: [...(build ? ['build'] : []), ...own, ...needs] };
      if (needs.length) wiring.edges.push(entry);
      if (build !== genericWaits) wiring.builds.push(`${entry} ${build ? 'after' : 'without'} the package's build`);
    }
    return wiring.task || wiring.edges.length || wiring.builds.length ? { ...json, [key]: tasks } : json;
  });
  return wiring;
}

