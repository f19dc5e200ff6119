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

/** Each platform of a `platform` option (`linux/amd64,linux/arm64`), the host's when none is given. */
export function targetPlatforms(platform: string | undefined): string[] {
  const list = platformList(platform ?? '');
  return list.length ? list : [hostPlatform()];
}
