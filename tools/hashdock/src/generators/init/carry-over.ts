import { Tree, updateJson } from '@nx/devkit';
import { dockerfileVariant, IMAGE_EXECUTOR, owningProjectRoot, registryEligibility } from '@hashdock/core';
import { settingsAsOptions } from './build-settings';
import { ContextChoice } from './context-evidence';

export interface CarriedOver {
  /** One line per image target whose options were written, naming the file, target and options. */
  written: string[];
  /** What could not be written (no project.json; the target name taken by another executor), with the options to set. */
  toSet: string[];
  /** Settings not carried over, each with why. */
  leftOut: string[];
}

/**
 * Make each image target build its Dockerfile as the workspace does today: where the context one
 * was built (or written) for is not the policy chosen, its `context`; where the build followed passed
 * build args, a stage, platforms or labels, those. Written into the project's project.json image
 * target options, keys it already sets untouched; else said.
 */
export function carryOver(tree: Tree, choice: ContextChoice, targetName: string, dockerfiles: readonly string[]): CarriedOver {
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
    const wanted: Record<string, unknown> = { ...(entry.value !== choice.context ? { context: entry.value } : {}), ...settings.options };
    if (Object.keys(wanted).length === 0) continue;
    const target = imageTargetName(tree, entry.root, entry.dockerfile, targetName, dockerfiles);
    const file = `${entry.root}/project.json`;
    const why = entry.build ? `as ${entry.said}` : `(${entry.said})`;
    const existing = tree.exists(file) ? (JSON.parse(tree.read(file, 'utf8') ?? '{}') as { targets?: Record<string, { executor?: string; command?: string; options?: Record<string, unknown> }> }).targets?.[target] : undefined;
    const taken = existing && (existing.command !== undefined || (existing.executor !== undefined && existing.executor !== IMAGE_EXECUTOR));
    if (!tree.exists(file) || taken) {
      result.toSet.push(`${entry.dockerfile} ${why}: ${JSON.stringify(wanted)} in the options of its "${target}" target${tree.exists(file) ? '' : ' (the "nx" key of its package.json)'}`);
      continue;
    }
    const added: Record<string, unknown> = {};
    updateJson(tree, file, (json: { targets?: Record<string, { options?: Record<string, unknown> }> }) => {
      const targets = (json.targets ??= {});
      const options = ((targets[target] ??= {}).options ??= {});
      for (const [key, value] of Object.entries(wanted)) if (!(key in options)) options[key] = added[key] = value;
      return json;
    });
    if (Object.keys(added).length) result.written.push(`${file}: its "${target}" target builds ${entry.dockerfile} ${why}: ${JSON.stringify(added)}`);
  }
  return result;
}

/** The name Hashdock infers for a Dockerfile's image target: the target name, or `<name>-<variant>` in a project with several. */
function imageTargetName(tree: Tree, root: string, dockerfile: string, targetName: string, dockerfiles: readonly string[]): string {
  const siblings = dockerfiles.filter((other) => owningProjectRoot(tree.root, other, (path) => tree.exists(path)) === root);
  const variant = siblings.length > 1 ? dockerfileVariant(root, dockerfile) : '';
  return variant ? `${targetName}-${variant}` : targetName;
}
