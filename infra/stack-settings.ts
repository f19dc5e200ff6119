import * as pulumi from '@pulumi/pulumi';

export interface StackSettings {
  stack: string;
  /** Environment in infra/environments.json whose release this stack deploys. */
  environment: string;
  /** Kubernetes namespace. */
  namespace: string;
  replicas: number;
  /** The registry every image must come from (guards against deploying another environment's release). */
  registry: string;
  /** Build images in the program through the core library instead of deploying a release. */
  integrated: boolean;
}

export function readStackSettings(): StackSettings {
  const config = new pulumi.Config('hashdock-infra');
  const stack = pulumi.getStack();
  return {
    stack,
    environment: config.get('environment') ?? stack,
    namespace: config.require('namespace'),
    replicas: config.getNumber('replicas') ?? 1,
    registry: config.require('registry'),
    integrated: config.getBoolean('integrated') ?? false,
  };
}
