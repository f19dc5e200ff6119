import { join, relative } from 'node:path';
import { FileHashCache, saveFileHashes } from '../hash/file-hash-cache';
import { DockerDriver } from '../docker/docker-driver';
import { abortWhenParentDies } from '../process/parent-watch';
import { createAuthorizer } from '../registry/auth';
import { RegistryClient } from '../registry/client';
import { writeImageReport } from '../report/image-report';
import { gitShortSha } from '../tags/git-sha';
import { gitBranch } from '../tags/git-branch';
import { checkInputsBasis } from '../workspace/inputs-basis';
import { checkBuildPaths } from './check-paths';
import { sourcesNxCannotSee, unseenSourcesWarning } from './unseen-sources';
import { buildOutputHint } from './root-context-hint';
import { DEFAULT_TAG_TEMPLATES, templatesUse } from '../tags/tag-policy';
import { buildImage, BuildImageDeps, BuildImageResult, summaryLine } from './build-image';
import { ImageTargetFacts, ImageTargetOptions, resolveImageOptions } from './resolve-image-options';

/**
 * One image target, as every runner runs it (the Nx executor, the turbo
 * command): resolve options, hash → reuse or build and push, write the
 * manifest and the report line, print the summary.
 */
/** What the image targets of one process share (the batch executor): clients, caches, the git lookup. */
export interface SharedImageDeps {
  deps: Omit<BuildImageDeps, 'log'>;
  gitSha: (workspaceRoot: string) => Promise<string | undefined>;
  branch: (workspaceRoot: string) => Promise<string | undefined>;
}

export async function runImageTarget(options: ImageTargetOptions, facts: Omit<ImageTargetFacts, 'gitSha' | 'branch'>, log: (line: string) => void = console.log, shared?: SharedImageDeps): Promise<BuildImageResult> {
  const enteredAt = performance.now();
  const templates = [...(options.tags ?? DEFAULT_TAG_TEMPLATES), ...(options.extraTags ?? [])];
  const gitSha = templatesUse(templates, 'gitSha') ? await (shared?.gitSha ?? gitShortSha)(facts.workspaceRoot) : undefined;
  const branch = templatesUse(templates, 'branch') ? await (shared?.branch ?? ((root: string) => gitBranch(root, facts.env)))(facts.workspaceRoot) : undefined;
  const resolved = resolveImageOptions(options, { ...facts, gitSha, ...(branch ? { branch } : {}) });
  if (facts.inferredInputs) {
    // A missing Dockerfile or a context outside the workspace is named as such first; then options from where
    // inference does not look, which would make Nx hash other files than the build reads.
    await checkBuildPaths(resolved.workspaceRoot, resolved.contextDir, resolved.dockerfile);
    checkInputsBasis(facts.inferredInputs.task, facts.inferredInputs.basis, options, facts);
  }
  let result: BuildImageResult;
  try {
    if (shared) result = await buildImage(resolved, { ...shared.deps, log, enteredAt });
    else {
      // If whoever started us is killed (even by SIGKILL), docker stops too instead of building on unattended.
      const controller = new AbortController();
      const stopWatching = abortWhenParentDies(controller);
      const fileHashes = FileHashCache.forWorkspace(facts.workspaceRoot);
      try {
        result = await buildImage(resolved, {
          docker: new DockerDriver({ stream: true }),
          registry: new RegistryClient({ authorize: createAuthorizer() }),
          log,
          signal: controller.signal,
          fileHashes,
          enteredAt,
        });
      } finally {
        stopWatching();
        await saveFileHashes(fileHashes, log);
      }
    }
  } catch (error) {
    // A missing COPY source while the build writes only elsewhere: said where (see buildOutputHint).
    throw buildOutputHint(error, facts.workspaceRoot, facts.dependencyOutputs ?? []);
  }
  // Under Nx: a COPY of a file git ignores that no task output covers is invisible to the task hash.
  if (facts.nxSees && !facts.nxSees.ignoredSources) {
    const copied = result.hash.files
      .filter((file) => file.kind !== 'dir')
      .map((file) => relative(facts.workspaceRoot, join(file.context === undefined ? resolved.contextDir : resolved.buildContexts![file.context], file.path)).split('\\').join('/'));
    const warning = unseenSourcesWarning(resolved.imageName, await sourcesNxCannotSee(facts.workspaceRoot, copied, facts.nxSees.taskOutputs));
    if (warning) log(warning);
  }
  await writeImageReport(resolved.manifestDir, result);
  log(summaryLine(result));
  return result;
}

