import { hostPlatform, platformList } from '../image/image-options';

/**
 * The build args BuildKit defines for every build (dockerfile2llb's defaultArgs): the target platform's
 * (`TARGETPLATFORM`, `TARGETOS`, `TARGETARCH`, `TARGETVARIANT`) and the builder's (`BUILDPLATFORM`, …).
 * They are global ARGs' values before any ARG line: a FROM may use them as they are, a stage after
 * `ARG TARGETARCH` (`COPY bin/app-${TARGETARCH} /app`). A build arg of the same name replaces one.
 */
export function automaticPlatformArgs(targetPlatform: string, buildPlatform: string = hostPlatform()): Record<string, string> {
  const parts = (platform: string) => {
    const [os = '', arch = '', variant = ''] = platform.split('/');
    return { os, arch, variant };
  };
  const target = parts(targetPlatform);
  const build = parts(buildPlatform);
  return {
    BUILDPLATFORM: buildPlatform,
    BUILDOS: build.os,
    BUILDOSVERSION: '',
    BUILDARCH: build.arch,
    BUILDVARIANT: build.variant,
    TARGETPLATFORM: targetPlatform,
    TARGETOS: target.os,
    TARGETOSVERSION: '',
    TARGETARCH: target.arch,
    TARGETVARIANT: target.variant,
  };
}

/**
 * The global ARG values a build starts with, before its first ARG line: the automatic platform args of
 * `platform` (this machine's when none is given), a build arg of the same name over each.
 */
export function initialGlobalArgs(buildArgs: Record<string, string>, platform?: string): Record<string, string> {
  const automatic = automaticPlatformArgs(platform ?? hostPlatform());
  return Object.fromEntries(Object.keys(automatic).map((name) => [name, name in buildArgs ? buildArgs[name] : automatic[name]]));
}

/** Each platform of a `platform` option (`linux/amd64,linux/arm64`), the host's when none is given. */
export function targetPlatforms(platform: string | undefined): string[] {
  const list = platformList(platform ?? '');
  return list.length ? list : [hostPlatform()];
}
