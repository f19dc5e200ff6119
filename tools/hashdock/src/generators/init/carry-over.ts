import { readJson, Tree, updateJson } from '@nx/devkit';
import { dockerfileVariant, IMAGE_EXECUTOR, owningProjectRoot, registryEligibility } from '@hashdock/core';
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
  for (const entry of choice.dockerfiles) {
    const settings = settingsAsOptions(entry.build?.settings ?? {});
    const platform = settings.options.platform;
    if (typeof platform === 'string' && platform.includes(',')) {
      // Several platforms make one index only through the registry builder; docker builds one platform per image.
      const eligibility = registryEligibility(tree.read(entry.dockerfile, 'utf8') ?? '');
      if (!eligibility.eligible) {
        delete settings.options.platform;
        settings.leftOut.push(`platforms ${platform} (one image for several platforms needs the registry builder, and ${eligibility.reason}: one platform per image target)`);
      }
    }
    result.leftOut.push(...settings.leftOut.map((item) => `${entry.dockerfile}: ${item}`));
    const wanted: Record<string, unknown> = { ...(policy !== undefined && entry.value !== policy ? { context: entry.value } : {}), ...settings.options };
    if (Object.keys(wanted).length === 0) continue;
    const target = imageTargetName(tree, entry.root, entry.dockerfile, targetName, dockerfiles);
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

/** The name Hashdock infers for a Dockerfile's image target: the target name, or `<name>-<variant>` in a project with several. */
function imageTargetName(tree: Tree, root: string, dockerfile: string, targetName: string, dockerfiles: readonly string[]): string {
  const siblings = dockerfiles.filter((other) => owningProjectRoot(tree.root, other, (path) => tree.exists(path)) === root);
  const variant = siblings.length > 1 ? dockerfileVariant(root, dockerfile) : '';
  return variant ? `${targetName}-${variant}` : targetName;
}
