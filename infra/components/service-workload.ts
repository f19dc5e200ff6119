import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

export interface ServiceWorkloadArgs {
  namespace: pulumi.Input<string>;
  /** `repository@sha256:…`: the exact image, never a tag. */
  image: string;
  replicas: number;
  kind: 'Deployment' | 'StatefulSet';
  env?: Record<string, string>;
  port?: number;
}

/** One service: its Deployment (or StatefulSet with a headless Service) and a ClusterIP Service. */
export class ServiceWorkload extends pulumi.ComponentResource {
  readonly image: string;
  readonly serviceName: pulumi.Output<string>;
  /** The Deployment's or StatefulSet's name: resolves once the workload is registered. */
  readonly workloadName: pulumi.Output<string>;

  constructor(name: string, args: ServiceWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super('hashdock:infra:ServiceWorkload', name, {}, opts);
    const port = args.port ?? 3000;
    const labels = { app: name, 'app.kubernetes.io/managed-by': 'hashdock' };
    const container: k8s.types.input.core.v1.Container = {
      name,
      image: args.image,
      ports: [{ containerPort: port, name: 'http' }],
      env: Object.entries({ PORT: String(port), ...args.env }).map(([key, value]) => ({ name: key, value })),
      readinessProbe: { httpGet: { path: '/health', port } },
      livenessProbe: { httpGet: { path: '/health', port }, initialDelaySeconds: 5 },
      securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
    };
    const metadata = { namespace: args.namespace, labels };
    const template = { metadata: { labels }, spec: { containers: [container] } };
    if (args.kind === 'StatefulSet') {
      const headless = new k8s.core.v1.Service(`${name}-headless`, { metadata, spec: { clusterIP: 'None', selector: labels, ports: [{ port, name: 'http' }] } }, { parent: this });
      this.workloadName = new k8s.apps.v1.StatefulSet(name, { metadata, spec: { serviceName: headless.metadata.name, replicas: args.replicas, selector: { matchLabels: labels }, template } }, { parent: this }).metadata.name;
    } else {
      this.workloadName = new k8s.apps.v1.Deployment(name, { metadata, spec: { replicas: args.replicas, selector: { matchLabels: labels }, template } }, { parent: this }).metadata.name;
    }
    const service = new k8s.core.v1.Service(name, { metadata, spec: { selector: labels, ports: [{ port: 80, targetPort: port, name: 'http' }] } }, { parent: this });
    this.image = args.image;
    this.serviceName = service.metadata.name;
    this.registerOutputs({ image: this.image, serviceName: this.serviceName, workloadName: this.workloadName });
  }
}
