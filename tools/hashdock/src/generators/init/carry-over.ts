import { getProjects, readJson, Tree, updateJson } from '@nx/devkit';
import { dockerfileStages, dockerfileVariant, IMAGE_EXECUTOR, imageNameOf, owningProjectRoot, parseRepository, registryEligibility } from '@hashdock/core';
import { settingsAsOptions } from './build-settings';
import { ContextChoice } from './context-evidence';

export interface CarriedOver {
  /** One line per image target whose options were written, naming the file, target and options. */
  written: string[];
  /** What could not be written (the target name taken by another executor, a command or a script), with the options to set. */
  toSet: string[];
  /** Settings not carried over, each with why. */
  leftOut: string[];
}

/**
 * Make each image target build its Dockerfile as the workspace does today: where the context one
 * was built (or written) for is not the policy (`workspace` or `project`; a path template: no
 * comparison), its `context`; the build args, stage, platforms, labels, secrets, network, hosts and
 * ssh forwards the build followed passes; the name its image has today. Written where Nx reads the
 * project's own target options (project.json, else the "nx" key of its package.json), keys already
 * set untouched; said instead where another target of that name would run.
 */
export function carryOver(tree: Tree, choice: ContextChoice, policy: 'workspace' | 'project' | undefined, targetName: string, dockerfiles: readonly string[]): CarriedOver {
  const result: CarriedOver = { written: [], toSet: [], leftOut: [] };
  const projectNames = new Map([...getProjects(tree)].map(([name, project]) => [project.root, name]));
  // Each Dockerfile's project and Hashdock's name for its image, worked out once (the clash check below asks for every pair).
  const owners = new Map(dockerfiles.map((dockerfile) => [dockerfile, owningProjectRoot(tree.root, dockerfile, (path) => tree.exists(path))]));
  const perProject = new Map<string | undefined, number>();
  for (const owner of owners.values()) perProject.set(owner, (perProject.get(owner) ?? 0) + 1);
  // As resolveImageTargets names them: a project's only Dockerfile has no variant.
  const variantOf = (root: string, dockerfile: string) => ((perProject.get(root) ?? 0) > 1 ? dockerfileVariant(root, dockerfile) : '');
  const defaultNames = new Map(
    dockerfiles.map((dockerfile) => {
      const root = owners.get(dockerfile);
      const projectName = root === undefined ? undefined : projectNames.get(root);
      return [dockerfile, projectName && root !== undefined ? [imageNameOf(projectName), variantOf(root, dockerfile)].filter(Boolean).join('-') : undefined];
    }),
  );
  const defaultName = (dockerfile: string) => defaultNames.get(dockerfile);
  // The image keeps the name it has today (its repository's last part), where that is not the one Hashdock gives it,
  // unless another image would have it too (Hashdock refuses two images of one name).
  const carried = new Map<string, string>();
  for (const entry of choice.dockerfiles) {
    const today = repositoryName(entry.build?.settings.image);
    if (today && today !== defaultName(entry.dockerfile)) carried.set(entry.dockerfile, today);
  }
  // Every name in a clash falls back to Hashdock's, which may clash anew: until none does.
  const dropped = new Map<string, string>();
  for (let clashing = true; clashing; ) {
    const finalName = (dockerfile: string) => carried.get(dockerfile) ?? defaultName(dockerfile);
    const clashes = [...carried].filter(([dockerfile, name]) => dockerfiles.some((other) => other !== dockerfile && finalName(other) === name));
    for (const [dockerfile, name] of clashes) {
      carried.delete(dockerfile);
      dropped.set(dockerfile, name);
    }
    clashing = clashes.length > 0;
  }
  for (const entry of choice.dockerfiles) {
    const settings = settingsAsOptions(entry.build?.settings ?? {});
    const variant = variantOf(entry.root, entry.dockerfile);
    const name = carried.get(entry.dockerfile);
    if (name) settings.options.name = name;
    const clash = dropped.get(entry.dockerfile);
    if (clash) settings.leftOut.push(`name ${clash} (another image would have it too)`);
    const text = tree.read(entry.dockerfile, 'utf8') ?? '';
    const stage = settings.options.stage;
    // A stale --target (no such stage) would make a target that cannot build.
    if (typeof stage === 'string' && !dockerfileStages(text).some((candidate) => candidate.name === stage.toLowerCase())) {
      delete settings.options.stage;
      settings.leftOut.push(`stage ${stage} (the Dockerfile has no stage of that name)`);
    }
    const platform = settings.options.platform;
    if (typeof platform === 'string' && platform.includes(',')) {
      // Several platforms make one index only through the registry builder; docker builds one platform per image.
      const eligibility = registryEligibility(text);
      if (!eligibility.eligible) {
        delete settings.options.platform;
        settings.leftOut.push(`platforms ${platform} (one image for several platforms needs the registry builder, and ${eligibility.reason}: one platform per image target)`);
      }
    }
    result.leftOut.push(...settings.leftOut.map((item) => `${entry.dockerfile}: ${item}`));
    const wanted: Record<string, unknown> = { ...(policy !== undefined && entry.value !== policy ? { context: entry.value } : {}), ...settings.options };
    if (Object.keys(wanted).length === 0) continue;
    const target = variant ? `${targetName}-${variant}` : targetName;
    const why = entry.build ? `as ${entry.said}` : `(${entry.said})`;
    // Where Nx reads the project's own target options: project.json, else the "nx" key of its package.json.
    const projectJson = `${entry.root}/project.json`;
    const packageJson = `${entry.root === '.' ? '' : `${entry.root}/`}package.json`;
    const file = tree.exists(projectJson) ? projectJson : tree.exists(packageJson) ? packageJson : undefined;
    // project.json may have comments: read it as Nx does.
    const read = file ? readJson<{ nx?: ProjectTargets; scripts?: Record<string, unknown> } & ProjectTargets>(tree, file) : undefined;
    const existing = file === projectJson ? read?.targets?.[target] : read?.nx?.targets?.[target];
    // Another executor, a command, or (package.json) a script of that name would run instead of Hashdock's target.
    const occupied = (existing && (existing.command !== undefined || (existing.executor !== undefined && existing.executor !== IMAGE_EXECUTOR))) || (file === packageJson && read?.scripts?.[target] !== undefined);
    if (!file || occupied) {
      result.toSet.push(`${entry.dockerfile} ${why}: ${JSON.stringify(wanted)} in the options of its "${target}" target`);
      continue;
    }
    const added: Record<string, unknown> = {};
    updateJson(tree, file, (json: { nx?: ProjectTargets } & ProjectTargets) => {
      const holder = file === projectJson ? json : (json.nx ??= {});
      const options = (((holder.targets ??= {})[target] ??= {}).options ??= {});
      for (const [key, value] of Object.entries(wanted)) if (!(key in options)) options[key] = added[key] = value;
      return json;
    });
    if (Object.keys(added).length) result.written.push(`${file}${file === packageJson ? ' ("nx" key)' : ''}: its "${target}" target builds ${entry.dockerfile} ${why}: ${JSON.stringify(added)}`);
  }
  return result;
}

interface ProjectTargets {
  targets?: Record<string, { executor?: string; command?: string; options?: Record<string, unknown> }>;
}

/** The last part of an image's repository (`ghcr.io/acme/shop-api` → `shop-api`), when it is a valid one. */
function repositoryName(image: string | undefined): string | undefined {
  try {
    return image ? parseRepository(image.toLowerCase()).path.split('/').pop() : undefined;
  } catch {
    return undefined;
  }
}
