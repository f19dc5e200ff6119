import { DockerDriver } from '../docker/docker-driver';
import { abortWhenParentDies } from '../process/parent-watch';
import { createAuthorizer } from '../registry/auth';
import { RegistryClient } from '../registry/client';
import { writeImageReport } from '../report/image-report';
import { gitShortSha } from '../tags/git-sha';
import { DEFAULT_TAG_TEMPLATES, templatesUse } from '../tags/tag-policy';
import { buildImage, BuildImageResult, summaryLine } from './build-image';
import { ImageTargetFacts, ImageTargetOptions, resolveImageOptions } from './resolve-image-options';

/**
 * One image target, as every runner runs it (the Nx executor, the turbo
 * command): resolve options, hash → reuse or build and push, write the
 * manifest and the report line, print the summary.
 */
export async function runImageTarget(options: ImageTargetOptions, facts: Omit<ImageTargetFacts, 'gitSha'>, log: (line: string) => void = console.log): Promise<BuildImageResult> {
  const templates = [...(options.tags ?? DEFAULT_TAG_TEMPLATES), ...(options.extraTags ?? [])];
  const gitSha = templatesUse(templates, 'gitSha') ? await gitShortSha(facts.workspaceRoot) : undefined;
  const resolved = resolveImageOptions(options, { ...facts, gitSha });
  // If whoever started us is killed (even by SIGKILL), docker stops too instead of building on unattended.
  const controller = new AbortController();
  const stopWatching = abortWhenParentDies(controller);
  let result: BuildImageResult;
  try {
    result = await buildImage(resolved, {
      docker: new DockerDriver({ stream: true }),
      registry: new RegistryClient({ authorize: createAuthorizer() }),
      log,
      signal: controller.signal,
    });
  } finally {
    stopWatching();
  }
  await writeImageReport(resolved.manifestDir, result);
  log(summaryLine(result));
  return result;
}
