import { describe, expect, it } from 'vitest';
import { ciScriptBuilds } from './ci-script-builds';

const read = (file: string, text: string) => ciScriptBuilds(file, text).map(({ file: at, context, dockerfile, settings }) => [at, dockerfile, context, settings]);

describe('ciScriptBuilds: docker build in CI files of shell steps', () => {
  it('CircleCI (run as a string and as { command }), Bitbucket Pipelines and Azure Pipelines scripts, from the checkout', () => {
    const circle = `
version: 2.1
jobs:
  images:
    docker: [{ image: cimg/base:current }]
    steps:
      - checkout
      - setup_remote_docker
      - run: docker build -f apps/api/Dockerfile -t ghcr.io/acme/api:$CIRCLE_SHA1 .
      - run:
          name: web
          command: |
            docker build \\
              --build-arg FLAVOUR=lean \\
              -t ghcr.io/acme/web apps/web
`;
    expect(read('.circleci/config.yml', circle)).toEqual([
      ['.circleci/config.yml', 'apps/api/Dockerfile', '.', { image: 'ghcr.io/acme/api' }],
      ['.circleci/config.yml', 'apps/web/Dockerfile', 'apps/web', { buildArgs: { FLAVOUR: 'lean' }, image: 'ghcr.io/acme/web' }],
    ]);
    const bitbucket = `
pipelines:
  branches:
    main:
      - step:
          services: [docker]
          script:
            - docker build -f apps/worker/Dockerfile .
`;
    expect(read('bitbucket-pipelines.yml', bitbucket)).toEqual([['bitbucket-pipelines.yml', 'apps/worker/Dockerfile', '.', {}]]);
    expect(read('azure-pipelines.yml', 'steps:\n  - script: docker build --target runtime -f apps/api/Dockerfile .\n')).toEqual([['azure-pipelines.yml', 'apps/api/Dockerfile', '.', { stage: 'runtime' }]]);
  });

  it("Google Cloud Build: the docker builder's args", () => {
    const cloudbuild = `
steps:
  - name: gcr.io/cloud-builders/docker
    args: ['build', '-f', 'apps/api/Dockerfile', '--build-arg', 'TIER=backend', '-t', 'europe-docker.pkg.dev/acme/shop/api:$SHORT_SHA', '.']
  - name: gcr.io/cloud-builders/docker
    args: ['push', 'europe-docker.pkg.dev/acme/shop/api:$SHORT_SHA']
`;
    expect(read('cloudbuild.yaml', cloudbuild)).toEqual([['cloudbuild.yaml', 'apps/api/Dockerfile', '.', { buildArgs: { TIER: 'backend' }, image: 'europe-docker.pkg.dev/acme/shop/api' }]]);
  });

  it("Azure Pipelines' Docker@2 task: Dockerfile, buildContext (its default the Dockerfile's folder), repository, and arguments for build only", () => {
    const azure = `
variables:
  tag: $(Build.BuildId)
stages:
  - stage: images
    jobs:
      - job: build
        steps:
          - task: Docker@2
            displayName: Build and push api
            inputs:
              command: buildAndPush
              repository: acme/api
              containerRegistry: acr
              Dockerfile: $(Build.SourcesDirectory)/apps/api/Dockerfile
              buildContext: $(Build.SourcesDirectory)
              tags: $(tag)
          - task: Docker@2
            inputs:
              command: build
              dockerfile: apps/web/Dockerfile
              arguments: --build-arg FLAVOUR=lean --target runtime
          - task: Docker@2
            inputs:
              command: push
              repository: acme/web
          - task: Docker@2
            inputs:
              command: build
              Dockerfile: '**/Dockerfile'
          - task: Docker@2
            inputs:
              command: build
              Dockerfile: $(dockerfilePath)
`;
    expect(read('azure-pipelines.yml', azure)).toEqual([
      ['azure-pipelines.yml', 'apps/api/Dockerfile', '.', { image: 'acme/api' }],
      ['azure-pipelines.yml', 'apps/web/Dockerfile', 'apps/web', { buildArgs: { FLAVOUR: 'lean' }, stage: 'runtime' }],
    ]);
    // buildAndPush takes no arguments (Azure ignores them there).
    const ignored = 'steps:\n  - task: Docker@2\n    inputs:\n      Dockerfile: apps/api/Dockerfile\n      arguments: --target debug\n';
    expect(read('azure-pipelines.yml', ignored)).toEqual([['azure-pipelines.yml', 'apps/api/Dockerfile', 'apps/api', {}]]);
  });

  it('nothing from a file that is not YAML, or from lines that only mention docker', () => {
    expect(read('.drone.yml', 'steps: [unclosed')).toEqual([]);
    expect(read('.drone.yml', 'steps:\n  - name: build\n    image: docker:24\n    commands: [echo build done]\n')).toEqual([]);
  });

  it('tells the builds it cannot follow: a shell line, a Cloud Build step, an Azure Docker@2 task with a variable path', () => {
    const pipelines = `
steps:
  - script: docker build -t api $(Build.ArtifactStagingDirectory)/api
  - task: Docker@2
    inputs:
      command: build
      Dockerfile: $(dockerfilePath)
  - task: Docker@2
    inputs:
      Dockerfile: apps/web/Dockerfile
      buildContext: $(webContext)
  - task: Docker@2
    inputs:
      command: build
  - name: gcr.io/cloud-builders/docker
    args: ['build', '-t', 'api', '$_CONTEXT']
`;
    const notes: string[] = [];
    expect(ciScriptBuilds('azure-pipelines.yml', pipelines, () => undefined, ({ file, command, reason }) => notes.push(`${file}: ${command} (${reason})`))).toEqual([]);
    expect(notes).toEqual([
      'azure-pipelines.yml: docker build -t api $(…)/api (its context is only known when it runs)',
      'azure-pipelines.yml: Docker@2 Dockerfile: $(dockerfilePath) (its Dockerfile is only known when it runs)',
      'azure-pipelines.yml: Docker@2 buildContext: $(webContext) (its context is only known when it runs)',
      'azure-pipelines.yml: docker build -t api $_CONTEXT (its context is only known when it runs)',
    ]);
  });
});
