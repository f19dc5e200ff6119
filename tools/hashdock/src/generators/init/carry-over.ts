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
 * comparison), its `context`; where the build followed passed
 * build args, a stage, platforms, labels or secrets, those. Written where Nx reads the project's own
 * target options (project.json, else the "nx" key of its package.json), keys already set untouched;
 * said instead where another target of that name would run.
 */
export function carryOver(tree: Tree, choice: ContextChoice, policy: 'workspace' | 'project' | undefined, targetName: string, dockerfiles: readonly string[]): CarriedOver {
  const result: CarriedOver = { written: [], toSet: [], leftOut: [] };
  const projectNames = new Map([...getProjects(tree)].map(([name, project]) => [project.root, name]));
  for (const entry of choice.dockerfiles) {
    const settings = settingsAsOptions(entry.build?.settings ?? {});
    const variant = imageVariant(tree, entry.root, entry.dockerfile, dockerfiles);
    // The image keeps the name it has today (its repository's last part), where that is not the one Hashdock gives it.
    const today = repositoryName(entry.build?.settings.image);
    const projectName = projectNames.get(entry.root);
    if (today && projectName && today !== [imageNameOf(projectName), variant].filter(Boolean).join('-')) settings.options.name = today;
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
    const taken = (existing && (existing.command !== undefined || (existing.executor !== undefined && existing.executor !== IMAGE_EXECUTOR))) || (file === packageJson && read?.scripts?.[target] !== undefined);
    if (!file || taken) {
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

/** The variant Hashdock names a Dockerfile's image target and image by ('' for a project's only one; see resolveImageTargets). */
function imageVariant(tree: Tree, root: string, dockerfile: string, dockerfiles: readonly string[]): string {
  const siblings = dockerfiles.filter((other) => owningProjectRoot(tree.root, other, (path) => tree.exists(path)) === root);
  return siblings.length > 1 ? dockerfileVariant(root, dockerfile) : '';
}

/** The last part of an image's repository (`ghcr.io/acme/shop-api` → `shop-api`), when it is a valid one. */
function repositoryName(image: string | undefined): string | undefined {
  try {
    return image ? parseRepository(image.toLowerCase()).path.split('/').pop() : undefined;
  } catch {
    return undefined;
  }
}
