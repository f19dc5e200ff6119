import { describe, expect, it } from 'vitest';
import { UnknownStageError } from '../errors';
import { contextScopeOf } from './context-reads';
import { declaredArgNames, parseDockerfileFroms } from './dockerfile-from';
import { dockerfileForStage, dockerfileStages } from './dockerfile-stages';

const dockerfile = `# deps, build, a slim runtime, and a debug stage on top of it
ARG NODE_IMAGE=node:24-slim
ARG TOOLS_IMAGE=hashdock/tools
FROM \${TOOLS_IMAGE} AS tools

FROM \${NODE_IMAGE} AS Deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

FROM deps AS build
ARG BUILD_FLAVOUR
COPY src/ src/
RUN <<EOF
npm run build
FROM not-a-stage
EOF

FROM \${NODE_IMAGE} AS runtime
COPY --from=build /app/dist /app
CMD ["node", "/app/main.js"]

FROM runtime AS debug
RUN --mount=type=bind,from=tools,source=/bin/gdb,target=/gdb cp /gdb /usr/bin/gdb
COPY debug/ /debug/
`;

const lines = (text: string) => text.split('\n');

describe('dockerfileStages', () => {
  it('finds every stage with its lines and what it refers to', () => {
    expect(dockerfileStages(dockerfile).map((stage) => [stage.name, stage.firstLine, stage.lastLine, stage.references])).toEqual([
      ['tools', 4, 5, ['hashdock/tools']],
      ['deps', 6, 9, ['node:24-slim']],
      ['build', 10, 17, ['deps']],
      ['runtime', 18, 21, ['node:24-slim', 'build']],
      ['debug', 22, 25, ['runtime', 'tools']],
    ]);
  });
});

describe('dockerfileForStage', () => {
  it.each([
    ['runtime', ['deps', 'build', 'runtime'], ['tools', 'debug']],
    ['RUNTIME', ['deps', 'build', 'runtime'], ['tools', 'debug']],
    ['debug', ['tools', 'deps', 'build', 'runtime', 'debug'], []],
    ['deps', ['deps'], ['tools', 'build', 'runtime', 'debug']],
    ['tools', ['tools'], ['deps', 'build', 'runtime', 'debug']],
  ])('--target %s keeps %j and blanks %j, line numbers unchanged', (stage, kept, dropped) => {
    const text = dockerfileForStage(dockerfile, stage, 'apps/api/Dockerfile');
    expect(lines(text)).toHaveLength(lines(dockerfile).length);
    const stages = dockerfileStages(dockerfile);
    for (const name of kept) {
      const { firstLine, lastLine } = stages.find((candidate) => candidate.name === name)!;
      expect(lines(text).slice(firstLine - 1, lastLine)).toEqual(lines(dockerfile).slice(firstLine - 1, lastLine));
    }
    for (const name of dropped) {
      const { firstLine, lastLine } = stages.find((candidate) => candidate.name === name)!;
      expect(lines(text).slice(firstLine - 1, lastLine).every((line) => line === '')).toBe(true);
    }
    // The comment and global ARGs before the first stage stay.
    expect(lines(text).slice(0, 3)).toEqual(lines(dockerfile).slice(0, 3));
  });

  it('leaves out the bases, context reads and build args of stages the target does not reach', () => {
    const runtime = dockerfileForStage(dockerfile, 'runtime', 'Dockerfile');
    expect(parseDockerfileFroms(runtime).froms.map((from) => [from.resolved, from.line])).toEqual([['node:24-slim', 6], ['node:24-slim', 18]]);
    expect(contextScopeOf(runtime)).toEqual({
      kind: 'sources',
      sources: [
        { path: 'package.json', line: 7, wildcard: false },
        { path: 'package-lock.json', line: 7, wildcard: false },
        { path: 'src', line: 12, wildcard: false },
      ],
    });
    expect([...declaredArgNames(runtime)].sort()).toEqual(['BUILD_FLAVOUR', 'NODE_IMAGE', 'TOOLS_IMAGE']);
    const deps = dockerfileForStage(dockerfile, 'deps', 'Dockerfile');
    expect([...declaredArgNames(deps)].sort()).toEqual(['NODE_IMAGE', 'TOOLS_IMAGE']);
    // debug reaches tools through a RUN mount, and reads debug/ from the context.
    const debug = dockerfileForStage(dockerfile, 'debug', 'Dockerfile');
    expect(parseDockerfileFroms(debug).froms.map((from) => from.resolved)).toEqual(['hashdock/tools', 'node:24-slim', 'node:24-slim']);
  });

  it('reaches every stage from a --from built from a variable (it could name any)', () => {
    const text = 'FROM a AS one\nCOPY x /x\nFROM b AS two\nARG FROM_STAGE=one\nCOPY --from=${FROM_STAGE} /x /x\nFROM c AS three\n';
    expect(dockerfileForStage(text, 'two', 'Dockerfile')).toBe(text);
  });

  it('follows a FROM whose build arg names a stage, by the value the build passes', () => {
    const text = 'ARG BASE=node:24\nFROM node:24 AS deps\nCOPY package.json .\nFROM ${BASE} AS runtime\nCOPY dist /app\n';
    expect(dockerfileForStage(text, 'runtime', 'Dockerfile')).toBe('ARG BASE=node:24\n\n\nFROM ${BASE} AS runtime\nCOPY dist /app\n');
    expect(dockerfileForStage(text, 'runtime', 'Dockerfile', { BASE: 'deps' })).toBe(text);
    // Only a global ARG reaches FROM: a build arg no global ARG declares changes nothing.
    expect(dockerfileForStage(text.replace('ARG BASE=node:24\n', '\n'), 'runtime', 'Dockerfile', { BASE: 'deps' })).toBe('\n\n\nFROM ${BASE} AS runtime\nCOPY dist /app\n');
  });

  it('follows a stage named by its index', () => {
    const text = 'FROM a\nCOPY x /x\nFROM b\nCOPY y /y\nFROM c AS last\nCOPY --from=0 /x /x\n';
    expect(dockerfileForStage(text, 'last', 'Dockerfile')).toBe('FROM a\nCOPY x /x\n\n\nFROM c AS last\nCOPY --from=0 /x /x\n');
  });

  it('names the Dockerfile, the stage and the stages there are when the stage is missing', () => {
    expect(() => dockerfileForStage(dockerfile, 'prod', 'apps/api/Dockerfile')).toThrow(UnknownStageError);
    expect(() => dockerfileForStage(dockerfile, 'prod', 'apps/api/Dockerfile')).toThrow(
      'apps/api/Dockerfile has no stage named "prod" (option "stage", docker build --target). Its named stages: tools, deps, build, runtime, debug.',
    );
    expect(() => dockerfileForStage('FROM a\n', 'prod', 'Dockerfile')).toThrow('It names no stage');
  });
});
