import { describe, expect, it, vi } from 'vitest';
import { gitlabBuilds, gitlabProjectVariables } from './gitlab-builds';

const read = (files: Record<string, string>) =>
  gitlabBuilds('.gitlab-ci.yml', (path) => files[path]).map(({ file, job, context, dockerfile, settings, via }) => ({ file, job, context, dockerfile, settings, via }));

describe('gitlabBuilds: the images a GitLab CI file builds', () => {
  it('kaniko from $CI_PROJECT_DIR over a parallel matrix, with the file\'s and the job\'s variables', () => {
    const ci = `
variables:
  NODE_ENV: production
stages: [build]
.kaniko:
  image: gcr.io/kaniko-project/executor:debug
images:
  extends: .kaniko
  stage: build
  variables:
    FLAVOUR: lean
  parallel:
    matrix:
      - APP: [api, web]
  script:
    - /kaniko/executor
      --context "\${CI_PROJECT_DIR}"
      --dockerfile "\${CI_PROJECT_DIR}/apps/\${APP}/Dockerfile"
      --build-arg NODE_ENV=\${NODE_ENV} --build-arg FLAVOUR=$FLAVOUR --build-arg SHA=\${CI_COMMIT_SHA}
      --destination "\${CI_REGISTRY_IMAGE}/\${APP}:\${CI_COMMIT_SHA}"
      --destination "registry.acme.com/shop/\${APP}:latest"
`;
    expect(read({ '.gitlab-ci.yml': ci })).toEqual(
      ['api', 'web'].map((app) => ({
        file: '.gitlab-ci.yml',
        job: 'images',
        context: '.',
        dockerfile: `apps/${app}/Dockerfile`,
        via: 'kaniko',
        settings: { buildArgs: { NODE_ENV: 'production', FLAVOUR: 'lean', SHA: '${CI_COMMIT_SHA}' }, image: `registry.acme.com/shop/${app}` },
      })),
    );
  });

  it("GitLab's registry variables, known from a gitlab.com origin, name the images; a job's own variable still wins", () => {
    const predefined = gitlabProjectVariables('git@gitlab.com:Acme/platform/Shop.git');
    expect(predefined).toMatchObject({ CI_REGISTRY: 'registry.gitlab.com', CI_REGISTRY_IMAGE: 'registry.gitlab.com/acme/platform/shop', CI_PROJECT_NAMESPACE: 'Acme/platform', CI_PROJECT_NAME: 'Shop' });
    expect(gitlabProjectVariables('https://gitlab.com/acme/shop').CI_REGISTRY_IMAGE).toBe('registry.gitlab.com/acme/shop');
    expect(gitlabProjectVariables('https://oauth2:token@gitlab.com/acme/shop.git/').CI_REGISTRY_IMAGE).toBe('registry.gitlab.com/acme/shop');
    expect(gitlabProjectVariables('git@gitlab.acme.internal:acme/shop.git')).toEqual({});
    expect(gitlabProjectVariables('git@github.com:acme/shop.git')).toEqual({});
    const ci = `
api:
  script:
    - docker build -f apps/api/Dockerfile -t $CI_REGISTRY_IMAGE/api:$CI_COMMIT_SHA .
worker:
  variables:
    CI_REGISTRY_IMAGE: harbor.acme.dev/shop
  script:
    - /kaniko/executor --context $CI_PROJECT_DIR --dockerfile apps/worker/Dockerfile --destination \${CI_REGISTRY_IMAGE}/worker:latest
`;
    const builds = gitlabBuilds('.gitlab-ci.yml', (path) => ({ '.gitlab-ci.yml': ci })[path], undefined, predefined);
    expect(builds.map((build) => [build.job, build.settings.image])).toEqual([
      ['api', 'registry.gitlab.com/acme/platform/shop/api'],
      ['worker', 'harbor.acme.dev/shop/worker'],
    ]);
    // Not known: not carried.
    expect(gitlabBuilds('.gitlab-ci.yml', (path) => ({ '.gitlab-ci.yml': ci })[path])[0].settings.image).toBeUndefined();
  });

  it('docker build in a script, a relative kaniko --dockerfile under its context, and an included file', () => {
    const ci = `
include:
  - local: /ci/images.yml
api:
  script:
    - docker build -f apps/api/Dockerfile -t $CI_REGISTRY_IMAGE/api:$CI_COMMIT_SHA .
`;
    const included = `
worker:
  script: /kaniko/executor --context apps/worker --dockerfile Dockerfile.prod --target runtime --custom-platform linux/arm64
`;
    expect(read({ '.gitlab-ci.yml': ci, 'ci/images.yml': included, 'apps/worker/Dockerfile.prod': 'FROM x\n' }).map((build) => [build.file, build.job, build.dockerfile, build.context, build.via, build.settings])).toEqual([
      ['.gitlab-ci.yml', 'api', 'apps/api/Dockerfile', '.', 'docker build', {}],
      ['ci/images.yml', 'worker', 'apps/worker/Dockerfile.prod', 'apps/worker', 'kaniko', { stage: 'runtime', platform: 'linux/arm64' }],
    ]);
  });

  it('a job extending a template (from an included file): the template\'s script with the job\'s variables', () => {
    const ci = `
include: ci/templates.yml
build-api:
  extends: .image
  variables:
    APP: api
build-web:
  extends: [.image, .arm]
  variables:
    APP: web
`;
    const templates = `
.image:
  variables:
    TIER: backend
    PLATFORM: linux/amd64
  script:
    - docker build -f apps/$APP/Dockerfile --build-arg TIER=$TIER --platform $PLATFORM .
.arm:
  variables:
    PLATFORM: linux/arm64
`;
    expect(read({ '.gitlab-ci.yml': ci, 'ci/templates.yml': templates }).map((build) => [build.file, build.job, build.dockerfile, build.settings])).toEqual([
      ['.gitlab-ci.yml', 'build-api', 'apps/api/Dockerfile', { buildArgs: { TIER: 'backend' }, platform: 'linux/amd64' }],
      ['.gitlab-ci.yml', 'build-web', 'apps/web/Dockerfile', { buildArgs: { TIER: 'backend' }, platform: 'linux/arm64' }],
    ]);
  });

  it('!reference tags: a job reusing another\'s script lines (its extends merged in), nested, without a warning', () => {
    const ci = `
.docker:
  variables:
    FILE: apps/api/Dockerfile
  script:
    - docker build --build-arg TIER=backend -f $FILE .
.login:
  before_script:
    - echo login
    - !reference [.docker, script]
api:
  extends: .docker
  script:
    - !reference [.login, before_script]
    - echo done
web:
  variables:
    FILE: apps/web/Dockerfile
  script:
    - !reference [.docker, script]
    - !reference [.missing, script]
`;
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      expect(read({ '.gitlab-ci.yml': ci })).toEqual([
        { file: '.gitlab-ci.yml', job: 'api', context: '.', dockerfile: 'apps/api/Dockerfile', settings: { buildArgs: { TIER: 'backend' } }, via: 'docker build' },
        { file: '.gitlab-ci.yml', job: 'web', context: '.', dockerfile: 'apps/web/Dockerfile', settings: { buildArgs: { TIER: 'backend' } }, via: 'docker build' },
      ]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('leaves out a path it cannot know, hidden jobs, and a file that is not YAML', () => {
    const ci = `
.template:
  script: docker build -f apps/api/Dockerfile .
dynamic:
  script: /kaniko/executor --context $CONTEXT --dockerfile $CONTEXT/Dockerfile
`;
    expect(read({ '.gitlab-ci.yml': ci })).toEqual([]);
    expect(read({ '.gitlab-ci.yml': 'images: [unclosed' })).toEqual([]);
  });
});
