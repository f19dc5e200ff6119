import { decodeExpansion, encodeExpansion, ExternalFrom, referenceWith } from './external-bases';
import { mirrorsSpec, RegistryMirrors } from '../registry/mirrors';

/**
 * What an image's task hash needs of one external base (a FROM, or an image named context): the
 * reference and how the build would read it again, where, and for which platforms. Plain JSON: the
 * plugin keeps these in the image target's metadata for the executor's Nx hasher, and
 * `hashdock base-digest` takes the same as flags.
 */
export interface BaseDigestSpec {
  reference: string;
  /** The build arg whose HASHDOCK_BUILD_ARG_<NAME> override replaces the reference. */
  arg?: string;
  /** A reference built from ARGs (`FROM node:${NODE_VERSION}-slim`), read again with the overrides: an encoded FromExpansion. */
  expand?: string;
  /** `os/arch[,os/arch…]`; the host's when absent. */
  platform?: string;
  /** `host=mirror`, as `--mirror` takes them; HASHDOCK_MIRRORS, when set, replaces them (the executor's rule). */
  mirrors?: string[];
}

/** The spec of a base as the build will read it: the FROM's own `--platform` when fixed, else the target's platform. */
export function baseDigestSpec(base: Pick<ExternalFrom, 'reference' | 'arg' | 'expansion' | 'platformFlag'>, platform: string | undefined, mirrors: RegistryMirrors = {}): BaseDigestSpec {
  const flag = base.platformFlag;
  const wanted = flag && !flag.startsWith('$') ? flag : /^\$\{?BUILDPLATFORM/.test(flag ?? '') ? undefined : platform;
  const spelled = mirrorsSpec(mirrors);
  return {
    reference: base.reference,
    ...(base.expansion ? { expand: encodeExpansion(base.expansion) } : base.arg ? { arg: base.arg } : {}),
    ...(wanted ? { platform: wanted } : {}),
    ...(spelled.length ? { mirrors: spelled } : {}),
  };
}

/** The reference the build will use, with `env`'s HASHDOCK_BUILD_ARG_<NAME> overrides. */
export function specReference(spec: BaseDigestSpec, env: NodeJS.ProcessEnv): string {
  if (spec.expand) return referenceWith(decodeExpansion(spec.expand), env);
  return (spec.arg && env[`HASHDOCK_BUILD_ARG_${spec.arg}`]) || spec.reference;
}

/** The `hashdock` arguments that print the same lines (`base-digest <reference> …`): how the hash details name each base. */
export function baseDigestArgs(spec: BaseDigestSpec): string[] {
  const args = ['base-digest', spec.reference];
  if (spec.expand) args.push('--expand', spec.expand);
  else if (spec.arg) args.push('--arg', spec.arg);
  for (const mirror of spec.mirrors ?? []) args.push('--mirror', mirror);
  if (spec.platform) args.push('--platform', spec.platform);
  return args;
}
