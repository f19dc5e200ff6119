import { describe, expect, it } from 'vitest';
import { checkInputsBasis, inputsBasisDifferences, inputsBasisOf } from './inputs-basis';

const facts = { workspaceRoot: '/ws', projectRoot: 'apps/api', projectName: 'api' };
const inferred = { context: 'apps/api', dockerfile: 'apps/api/Dockerfile', buildArgs: { ROOT_IMAGE: 'r:1' } };

describe('inputs basis', () => {
  it.each([
    // As the plugin writes the options, and as Nx hands them to the executor after interpolating its tokens.
    [{ context: '{projectRoot}', dockerfile: '{projectRoot}/Dockerfile', buildArgs: { ROOT_IMAGE: 'r:1' } }],
    [{ context: 'apps/api', dockerfile: 'apps/api/Dockerfile', buildArgs: { ROOT_IMAGE: 'r:1' } }],
    [{ dockerfile: '/ws/apps/api/Dockerfile', buildArgs: { ROOT_IMAGE: 'r:1' } }],
  ])('the options %j run with the inputs inferred', (options) => {
    expect(inputsBasisDifferences(inferred, inputsBasisOf(options, facts))).toEqual([]);
  });

  it('reads the workspace root however Nx spells it, and a stage without regard to case', () => {
    expect(inputsBasisOf({ context: '', stage: 'Runtime' }, facts)).toEqual({ context: '.', dockerfile: 'apps/api/Dockerfile', stage: 'runtime', buildArgs: {} });
    expect(inputsBasisOf({ context: '{workspaceRoot}' }, facts).context).toBe('.');
  });

  it('names every option that differs, and says where to set it', () => {
    const running = inputsBasisOf({ context: '', dockerfile: '{projectRoot}/Dockerfile', stage: 'debug', buildArgs: { ROOT_IMAGE: 'r:2' } }, facts);
    expect(inputsBasisDifferences(inferred, running)).toEqual([
      'option "context" is "." when it runs, but its inputs were inferred for "apps/api"',
      'option "stage" is "debug" when it runs, but its inputs were inferred for null',
      'option "buildArgs" is {"ROOT_IMAGE":"r:2"} when it runs, but its inputs were inferred for {"ROOT_IMAGE":"r:1"}',
    ]);
    expect(() => checkInputsBasis('api:image', inferred, { context: '' , buildArgs: { ROOT_IMAGE: 'r:1' } }, facts)).toThrow(
      /^api:image: option "context" is "\." when it runs, but its inputs were inferred for "apps\/api"\. .*nx\.json targetDefaults, or the command line/,
    );
    // A target with no recorded basis (declared by hand, no plugin) is not checked.
    expect(() => checkInputsBasis('api:image', undefined, { context: '' }, facts)).not.toThrow();
  });
});
