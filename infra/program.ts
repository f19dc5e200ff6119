import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { HashdockError, parseRepository } from '@hashdock/core';
import type { DeployableImage } from '@hashdock/core';
import { ServiceWorkload } from './components/service-workload';
import type { StackSettings } from './stack-settings';

/** What the stack deploys: every service, including those `nx affected` did not rebuild. */
export const WORKLOADS = [
  { project: 'api', kind: 'Deployment' },
  { project: 'indexer', kind: 'StatefulSet' },
  { project: 'status', kind: 'Deployment' },
] as const;

export interface ReleasedImages {
  /** Where the images came from (release file or manifest directory), for messages. */
  source: string;
  images: Record<string, DeployableImage & { ref: string }>;
}

export interface ProgramDeps {
  /** The release of an environment (decoupled mode). */
  loadRelease(environment: string): Promise<ReleasedImages>;
  /** Every digest exists in its registry, or throw listing the missing ones. */
  verifyRelease(release: ReleasedImages): Promise<void>;
  /** Integrated mode: build through the core library; `dryRun` pushes nothing. */
  buildImages?(dryRun: boolean): Promise<ReleasedImages>;
}

export class DeployConfigError extends HashdockError {
  constructor(message: string) {
    super('DEPLOY_CONFIG', message);
  }
}

/** The whole program, with its outside world injected (tests pass real or in-memory parts). */
export async function runProgram(settings: StackSettings, deps: ProgramDeps) {
  const dryRun = pulumi.runtime.isDryRun();
  let release: ReleasedImages;
  if (settings.integrated) {
    if (!deps.buildImages) throw new DeployConfigError(`stack ${settings.stack}: integrated mode needs a builder`);
    release = await deps.buildImages(dryRun);
  } else {
    release = await deps.loadRelease(settings.environment);
  }
  for (const { project } of WORKLOADS) {
    const image = release.images[project];
    if (!image) throw new DeployConfigError(`${release.source}: no image for project "${project}"; run nx run ${project}:image (or promote it) first`);
    if (parseRepository(image.repository).registry !== settings.registry)
      throw new DeployConfigError(`${release.source}: project "${project}" comes from ${image.repository}, but stack ${settings.stack} deploys from ${settings.registry}`);
  }
  // A preview of integrated mode has built nothing yet, so there is nothing to verify.
  if (!(settings.integrated && dryRun)) await deps.verifyRelease(release);

  const namespace = new k8s.core.v1.Namespace(settings.namespace, { metadata: { name: settings.namespace } });
  const images: Record<string, string> = {};
  const workloads: Record<string, ServiceWorkload> = {};
  for (const { project, kind } of WORKLOADS) {
    const env = project === 'status' ? { CHECKS: WORKLOADS.filter((w) => w.project !== 'status').map((w) => `${w.project}=http://${w.project}/health`).join(',') } : undefined;
    workloads[project] = new ServiceWorkload(project, { namespace: namespace.metadata.name, image: release.images[project].ref, replicas: settings.replicas, kind, env });
    images[project] = release.images[project].ref;
  }
  const ready = pulumi.all(Object.values(workloads).flatMap((w) => [w.workloadName, w.serviceName]));
  return { namespace: namespace.metadata.name, images, ready };
}
