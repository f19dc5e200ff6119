import { describe, expect, it } from 'vitest';
import { applyInstructions, durationNs, shellWords } from './apply-instructions';
import { registryEligibility } from './registry-eligibility';

const owner = (spec: string) => ({ uid: Number(spec.split(':')[0]) || 1000, gid: Number(spec.split(':')[1] ?? spec.split(':')[0]) || 1000 });
const apply = (text: string, base = {}, args: Record<string, string> = {}) => applyInstructions('Dockerfile', text, base, args, owner);

describe('registry builder: which Dockerfiles it takes', () => {
  it.each([
    ['FROM a\nCOPY dist/ /app/\nCMD ["node"]', undefined],
    ['ARG B\nFROM ${B}\nENV A=1\nWORKDIR /x\nUSER 1\nEXPOSE 80\nLABEL a=b\nENTRYPOINT x\nSTOPSIGNAL TERM\nHEALTHCHECK NONE\nVOLUME /v\nCOPY --chown=1 --chmod=644 a b', undefined],
    ['FROM a\nRUN true', 'line 2 (RUN) needs docker'],
    ['FROM a AS b\nFROM b\nCOPY a b', '2 stages (FROM at lines 1, 2); a multi-stage build needs docker'],
    ['FROM a\nCOPY --from=b /x /y', 'line 2 (COPY --from) needs docker'],
    ['FROM a\nADD a b', 'line 2 (ADD) needs docker'],
    ['# syntax=docker/dockerfile:1\nFROM a\nCOPY dist /app', undefined],
    ['# syntax=tonistiigi/dockerfile:runmount\nFROM a', 'the parser directive "# syntax=tonistiigi/dockerfile:runmount" selects a frontend Hashdock does not read (docker/dockerfile:1.x is read as Docker\'s own)'],
    ['FROM scratch\nCOPY a /', 'line 1 builds FROM scratch'],
    ['FROM --platform=$BUILDPLATFORM a', 'line 1 (FROM) has --platform'],
    ['FROM a\nSHELL ["bash", "-c"]', 'line 2 (SHELL) needs docker'],
    ['FROM a\nCOPY <<EOF /x\nhi\nEOF', 'line 2 (COPY of a here-document) needs docker'],
    ['FROM a\nARG V=1.2\nENV MAJOR=${V%%.*}', 'line 3 (ENV) uses the substitution ${V%…}, which needs docker'],
    ['FROM a\nARG APP\nCOPY apps/${APP:?required} /app', 'line 3 (COPY) uses the substitution ${APP:?…}, which needs docker'],
    ['FROM a\nARG APP=x\nCOPY apps/${APP:-web}/dist /app', undefined],
  ])('%j → %s', (text, reason) => {
    expect(registryEligibility(text)).toEqual(reason ? { eligible: false, reason } : { eligible: true });
  });
});

describe('registry builder: Docker semantics of config instructions', () => {
  it('ENV expands with ARG and earlier ENV (ENV wins), replaces in place, keeps the base order', () => {
    const { config } = apply('ARG V=1\nFROM x\nARG V\nARG W=w-$V\nENV PATH=/opt/bin:$PATH NAME="a b" W=$W\nENV LEGACY value with spaces', { Env: ['PATH=/usr/bin', 'HOME=/root'] });
    expect(config.Env).toEqual(['PATH=/opt/bin:/usr/bin', 'HOME=/root', 'NAME=a b', 'W=w-1', 'LEGACY=value with spaces']);
  });

  it('a build arg overrides an ARG default', () => {
    expect(apply('FROM x\nARG PORT=1\nENV PORT=$PORT', {}, { PORT: '8080' }).config.Env).toEqual(['PORT=8080']);
  });

  it('ENTRYPOINT resets an inherited CMD, but not one set in this stage', () => {
    expect(apply('FROM x\nENTRYPOINT ["tini"]', { Cmd: ['node'] }).config).toMatchObject({ Entrypoint: ['tini'], Cmd: null });
    expect(apply('FROM x\nCMD ["a"]\nENTRYPOINT ["tini"]', { Cmd: ['node'] }).config).toMatchObject({ Entrypoint: ['tini'], Cmd: ['a'] });
  });

  it('shell forms run through the config Shell or /bin/sh -c', () => {
    expect(apply('FROM x\nCMD node main.js').config.Cmd).toEqual(['/bin/sh', '-c', 'node main.js']);
    expect(apply('FROM x\nCMD node main.js', { Shell: ['bash', '-lc'] }).config.Cmd).toEqual(['bash', '-lc', 'node main.js']);
  });

  it('EXPOSE adds port/proto (ranges too); LABEL with quotes; WORKDIR relative to the current one; USER', () => {
    const { config } = apply('FROM x\nEXPOSE 3000 53/udp 8000-8001\nLABEL "a"="one two" b=c\nWORKDIR app\nWORKDIR sub\nUSER node:node', { WorkingDir: '/srv', ExposedPorts: { '22/tcp': {} } });
    expect(config.ExposedPorts).toEqual({ '22/tcp': {}, '3000/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} });
    expect(config.Labels).toEqual({ a: 'one two', b: 'c' });
    expect(config.WorkingDir).toBe('/srv/app/sub');
    expect(config.User).toBe('node:node');
  });

  it('HEALTHCHECK timings are nanoseconds; NONE disables', () => {
    expect(apply('FROM x\nHEALTHCHECK --interval=30s --timeout=1m30s --retries=3 CMD curl -f http://localhost/').config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 30e9, Timeout: 90e9, Retries: 3 });
    expect(apply('FROM x\nHEALTHCHECK NONE').config.Healthcheck).toEqual({ Test: ['NONE'] });
    expect(durationNs('500ms')).toBe(5e8);
  });

  it('COPY destinations relative to WORKDIR keep their trailing slash; --chown resolved; WORKDIR owned by USER', () => {
    const { steps } = apply('FROM x\nWORKDIR /app\nUSER 1000\nWORKDIR /data\nCOPY --chown=1000:1000 --chmod=640 a b ./\nCOPY c d');
    expect(steps).toEqual([
      { kind: 'workdir', line: 2, createdBy: 'WORKDIR /app', path: '/app' },
      { kind: 'workdir', line: 4, createdBy: 'WORKDIR /data', path: '/data', owner: { uid: 1000, gid: 1000 } },
      { kind: 'copy', line: 5, createdBy: 'COPY --chown=1000:1000 --chmod=640 a b ./', sources: ['a', 'b'], dest: '/data/', owner: { uid: 1000, gid: 1000 }, chmod: 0o640 },
      { kind: 'copy', line: 6, createdBy: 'COPY c d', sources: ['c'], dest: '/data/d' },
    ]);
  });

  it('splits words with Docker quoting', () => {
    expect(shellWords(`a "b c" 'd e' f\\ g "h\\"i"`)).toEqual(['a', 'b c', 'd e', 'f g', 'h"i']);
  });
});
