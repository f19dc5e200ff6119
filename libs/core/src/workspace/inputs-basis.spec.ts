import { describe, expect, it } from 'vitest';
import { inputShapingArgs } from '../docker/context-reads';
import { hostPlatform } from '../image/image-options';
import { checkInputsBasis, inferredInputsBasis, inputsBasisDifferences, inputsBasisOf } from './inputs-basis';

const facts = { workspaceRoot: '/ws', projectRoot: 'apps/api', projectName: 'api' };
const dockerfileText = 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE} AS run\nARG NODE_ENV\nENV NODE_ENV=$NODE_ENV\nCOPY ${DIST:-dist}/ /app/\nRUN --mount=from=$TOOLS echo\n';
const inferred = inferredInputsBasis({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', dockerfileText, options: { buildArgs: { ROOT_IMAGE: 'r:1', NODE_ENV: 'development' } } });

describe('inputs basis', () => {
  it('records where the inputs were read and the build args that choose what is read (FROM, COPY sources, from=), not the others', () => {
    expect([...inputShapingArgs(dockerfileText)].sort()).toEqual(['DIST', 'ROOT_IMAGE', 'TOOLS']);
    // An ARG or ENV a COPY source or FROM reads is shaped by what its value is built from, transitively.
    const layered = 'ARG NODE=24\nARG BASE=node:${NODE}-slim\nFROM $BASE\nARG APP\nARG ROOT=apps\nENV DIR="${ROOT}/${APP}" UNUSED=$OTHER\nCOPY ${DIR}/dist /app\n';
    expect([...inputShapingArgs(layered)].sort()).toEqual(['APP', 'BASE', 'DIR', 'NODE', 'ROOT']);
    expect(inferred).toEqual({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', buildArgs: { DIST: null, ROOT_IMAGE: 'r:1', TOOLS: null } });
  });

  it.each([
    // As the plugin writes the options, and as Nx hands them to the executor after interpolating its tokens.
    [{ context: '{projectRoot}', dockerfile: '{projectRoot}/Dockerfile', buildArgs: { ROOT_IMAGE: 'r:1' } }],
    [{ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', buildArgs: { ROOT_IMAGE: 'r:1', NODE_ENV: 'production' } }],
    [{ dockerfile: '/ws/apps/api/Dockerfile', buildArgs: { ROOT_IMAGE: 'r:1' } }],
  ])('the options %j run with the inputs inferred (an arg only RUN or ENV reads may differ)', (options) => {
    expect(inputsBasisDifferences(inferred, { ...inputsBasisOf(options, facts), buildArgs: options.buildArgs })).toEqual([]);
  });

  it('reads the workspace root however Nx spells it, and a stage without regard to case', () => {
    expect(inputsBasisOf({ context: '', stage: 'Runtime' }, facts)).toEqual({ context: '.', dockerfile: 'apps/api/Dockerfile', stage: 'runtime', platform: hostPlatform() });
    expect(inputsBasisOf({ context: '{workspaceRoot}' }, facts).context).toBe('.');
  });

  it('records the platform when what is read follows it (BuildKit\'s automatic platform args), and refuses another when it runs', () => {
    const perArch = inferredInputsBasis({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', dockerfileText: 'FROM x\nARG TARGETARCH\nCOPY bin/${TARGETARCH}/ /app/\n', options: { platform: 'linux/amd64' } });
    expect(perArch).toEqual({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', buildArgs: { TARGETARCH: null }, platform: 'linux/amd64' });
    expect(() => checkInputsBasis('api:image', perArch, { context: 'apps/api', platform: 'linux/amd64' }, facts)).not.toThrow();
    expect(() => checkInputsBasis('api:image', perArch, { context: 'apps/api', platform: 'linux/arm64' }, facts)).toThrow('option "platform" is "linux/arm64" when it runs, but its inputs were inferred for "linux/amd64"');
    // A Dockerfile that reads the same files on every platform records none: any platform runs with its inputs.
    expect(inferred.platform).toBeUndefined();
    expect(() => checkInputsBasis('api:image', inferred, { context: 'apps/api', platform: 'linux/arm64', buildArgs: { ROOT_IMAGE: 'r:1' } }, facts)).not.toThrow();
  });

  it('records named build contexts as workspace paths, and refuses others when it runs (set where inference does not read them)', () => {
    const named = inferredInputsBasis({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', dockerfileText, options: { buildArgs: { ROOT_IMAGE: 'r:1' } }, namedContexts: { libs: 'libs/shared' } });
    expect(named.buildContexts).toEqual({ libs: 'libs/shared' });
    // As the project writes it, and as Nx hands it over with its tokens interpolated.
    for (const buildContexts of [{ libs: 'libs/shared' }, { libs: '{workspaceRoot}/libs/shared' }, { libs: '/ws/libs/shared' }])
      expect(() => checkInputsBasis('api:image', named, { context: 'apps/api', buildContexts, buildArgs: { ROOT_IMAGE: 'r:1' } }, facts)).not.toThrow();
    expect(() => checkInputsBasis('api:image', named, { context: 'apps/api', buildArgs: { ROOT_IMAGE: 'r:1' } }, facts)).toThrow('option "buildContexts" is null when it runs, but its inputs were inferred for {"libs":"libs/shared"}');
    expect(() => checkInputsBasis('api:image', inferred, { context: 'apps/api', buildContexts: { libs: 'libs' }, buildArgs: { ROOT_IMAGE: 'r:1' } }, facts)).toThrow('option "buildContexts" is {"libs":"libs"} when it runs, but its inputs were inferred for null');
    // A malformed value is left to the option's own check, which names what is wrong.
    expect(() => checkInputsBasis('api:image', inferred, { context: 'apps/api', buildContexts: { LIBS: 'libs' }, buildArgs: { ROOT_IMAGE: 'r:1' } }, facts)).not.toThrow();
  });

  it('names every option that differs, and says where to set it', () => {
    const options = { context: '', dockerfile: '{projectRoot}/Dockerfile', stage: 'debug', buildArgs: { ROOT_IMAGE: 'r:2', DIST: 'out' } };
    expect(inputsBasisDifferences(inferred, { ...inputsBasisOf(options, facts), buildArgs: options.buildArgs })).toEqual([
      'option "context" is "." when it runs, but its inputs were inferred for "apps/api"',
      'option "stage" is "debug" when it runs, but its inputs were inferred for null',
      'option "buildArgs.DIST" is "out" when it runs, but its inputs were inferred for null',
      'option "buildArgs.ROOT_IMAGE" is "r:2" when it runs, but its inputs were inferred for "r:1"',
    ]);
    expect(() => checkInputsBasis('api:image', inferred, { context: '', buildArgs: { ROOT_IMAGE: 'r:1' } }, facts)).toThrow(
      /^api:image: option "context" is "\." when it runs, but its inputs were inferred for "apps\/api"\. .*nx\.json targetDefaults, a target configuration, or the command line/,
    );
    // A target with no recorded basis (declared by hand, no plugin) is not checked.
    expect(() => checkInputsBasis('api:image', undefined, { context: '' }, facts)).not.toThrow();
    // The plugin's build args count under the target's own, as they run.
    const fromPlugin = inferredInputsBasis({ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', dockerfileText, options: { pluginBuildArgs: { ROOT_IMAGE: 'r:1' }, buildArgs: { DIST: 'out' } } });
    expect(fromPlugin.buildArgs).toEqual({ DIST: 'out', ROOT_IMAGE: 'r:1', TOOLS: null });
    expect(() => checkInputsBasis('api:image', fromPlugin, { context: 'apps/api', pluginBuildArgs: { ROOT_IMAGE: 'r:1' }, buildArgs: { DIST: 'out' } }, facts)).not.toThrow();
    expect(() => checkInputsBasis('api:image', fromPlugin, { context: 'apps/api', pluginBuildArgs: { ROOT_IMAGE: 'r:1' }, buildArgs: { DIST: 'out', ROOT_IMAGE: 'r:9' } }, facts)).toThrow(
      'option "buildArgs.ROOT_IMAGE" is "r:9" when it runs, but its inputs were inferred for "r:1"',
    );
  });
});
