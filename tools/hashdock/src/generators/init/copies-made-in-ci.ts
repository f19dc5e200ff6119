import { posix } from 'node:path';
import { Tree } from '@nx/devkit';
import { contextScopeOf } from '@hashdock/core';
import { DockerfileContext } from './context-evidence';
import { buildFolderOf } from './build-folder';
import { isWorkflowPath } from './workflow-builds';
import { parseYamlRecord, record } from './yaml-record';

/** A CI step's command that writes a folder of the checkout, and where it is. */
interface MakingStep {
  folder: string;
  said: string;
}

/**
 * The folder a command writes, where it is one Hashdock knows: `turbo prune <scope> --docker` (`out`, or its
 * `--out-dir`), and an explicit `--out-dir`/`--output-dir` of another command.
 */
function foldersWritten(command: string): string[] {
  const folders: string[] = [];
  for (const line of command.split('\n')) {
    const outDir = /--(?:out|output)-dir[= ]["']?([^\s"']+)/.exec(line)?.[1];
    if (/\bturbo(?:@\S+)?\s+prune\b/.test(line)) folders.push(outDir ?? 'out');
    else if (outDir) folders.push(outDir);
  }
  return folders.map((folder) => posix.normalize(folder.replace(/^\.\//, '')).replace(/\/$/, ''));
}

/** The run steps of the repository's GitHub workflows that write a folder (see foldersWritten). */
function makingSteps(tree: Tree): MakingStep[] {
  const files = tree.exists('.github/workflows') ? tree.children('.github/workflows').map((name) => `.github/workflows/${name}`).filter(isWorkflowPath).sort() : [];
  const steps: MakingStep[] = [];
  for (const file of files) {
    for (const [job, definition] of Object.entries(record(parseYamlRecord(tree.read(file, 'utf8') ?? undefined)?.jobs) ?? {})) {
      const list = record(definition)?.steps;
      for (const [index, raw] of (Array.isArray(list) ? list : []).entries()) {
        const step = record(raw);
        if (typeof step?.run !== 'string') continue;
        const name = typeof step.name === 'string' ? step.name : typeof step.id === 'string' ? step.id : `#${index + 1}`;
        const line = step.run.split('\n').find((text) => foldersWritten(text).length > 0)?.trim() ?? '';
        for (const folder of foldersWritten(step.run)) steps.push({ folder, said: `${file} (job ${job}, step "${name}": \`${line}\`)` });
      }
    }
  }
  return steps;
}

/**
 * The Dockerfiles that copy a path the checkout does not have, which a CI step writes before the build: typie's
 * `COPY out/json/ .` after a workflow step runs `pnpm dlx turbo prune @typie/api --docker`. Hashdock builds from the
 * checkout, so such an image fails at that COPY until something writes the folder first. One line each, naming the
 * step. `chosen` and `policy`: each Dockerfile's context (see buildFolderOf).
 */
export function copiesMadeInCi(tree: Tree, dockerfiles: readonly string[], chosen: readonly DockerfileContext[], policy: 'workspace' | 'project' | undefined): string[] {
  let steps: MakingStep[] | undefined;
  const lines: string[] = [];
  for (const dockerfile of dockerfiles) {
    const { context } = buildFolderOf(tree, dockerfile, chosen, policy);
    if (context === undefined) continue;
    const scope = contextScopeOf(tree.read(dockerfile, 'utf8') ?? '');
    if (scope.kind !== 'sources') continue;
    const missing = [...new Set(scope.sources.filter(({ path, wildcard }) => !wildcard && path !== '.' && !tree.exists(posix.join(context, path))).map(({ path }) => path))];
    if (missing.length === 0) continue;
    steps ??= makingSteps(tree);
    const made = steps.find((step) => missing.some((path) => posix.join(context, path) === step.folder || posix.join(context, path).startsWith(`${step.folder}/`)));
    if (!made) continue;
    const paths = missing.filter((path) => posix.join(context, path).startsWith(`${made.folder}/`) || posix.join(context, path) === made.folder);
    lines.push(`${dockerfile} copies ${paths.join(', ')}, which the checkout does not have: ${made.said} writes ${made.folder}/ before the build`);
  }
  return lines;
}
