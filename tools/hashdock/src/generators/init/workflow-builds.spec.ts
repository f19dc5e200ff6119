import { describe, expect, it } from 'vitest';
import { githubContext, matrixCombinations, workflowBuilds } from './workflow-builds';

const read = (text: string) => workflowBuilds('.github/workflows/release.yml', text).map(({ job, step, context, dockerfile, settings, via }) => ({ job, step, context, dockerfile, settings, via }));

describe('workflowBuilds: the images a GitHub Actions workflow builds', () => {
  it('docker/build-push-action: context and file from the workspace root, and what it passes (a secret by id only)', () => {
    const workflow = `
on: push
jobs:
  images:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Build api
        uses: docker/build-push-action@v6
        with:
          context: .
          file: apps/api/Dockerfile
          push: true
          tags: |
            ghcr.io/acme/shop-api:\${{ github.sha }}
            ghcr.io/acme/shop-api:latest
          build-args: |
            NODE_ENV=production
            GIT_SHA=\${{ github.sha }}
          labels: |
            org.opencontainers.image.title=api
          platforms: linux/amd64,linux/arm64
          target: runtime
          secrets: |
            "npm_token=\${{ secrets.NPM_TOKEN }}"
          secret-files: |
            netrc=./ci/netrc
`;
    expect(read(workflow)).toEqual([
      {
        job: 'images',
        step: 'Build api',
        context: '.',
        dockerfile: 'apps/api/Dockerfile',
        via: 'docker/build-push-action',
        settings: {
          buildArgs: { NODE_ENV: 'production', GIT_SHA: '${{ github.sha }}' },
          labels: { 'org.opencontainers.image.title': 'api' },
          stage: 'runtime',
          platform: 'linux/amd64,linux/arm64',
          image: 'ghcr.io/acme/shop-api',
          secretFiles: { netrc: 'ci/netrc' },
          inlineSecrets: ['npm_token'],
        },
      },
    ]);
    expect(JSON.stringify(read(workflow))).not.toContain('secrets.NPM_TOKEN');
  });

  it('a matrix read per combination; no context is the repository at the commit (the workspace root)', () => {
    const workflow = `
jobs:
  build:
    strategy:
      matrix:
        app: [api, web]
    steps:
      - uses: docker/build-push-action@v5
        with:
          file: apps/\${{ matrix.app }}/Dockerfile
          tags: ghcr.io/acme/\${{matrix.app}}:\${{ github.sha }}
`;
    expect(read(workflow).map((build) => [build.dockerfile, build.context, build.settings.image])).toEqual([
      ['apps/api/Dockerfile', '.', 'ghcr.io/acme/api'],
      ['apps/web/Dockerfile', '.', 'ghcr.io/acme/web'],
    ]);
  });

  it("one job per platform, pushed by digest and merged (Reactive-Resume's, as Docker's docs show): one build for every platform", () => {
    const workflow = `
jobs:
  build:
    strategy:
      matrix:
        platform: [linux/amd64, linux/arm64]
        app: [api, web]
    steps:
      - name: Build (\${{ matrix.app }}, \${{ matrix.platform }})
        uses: docker/build-push-action@v5
        with:
          file: apps/\${{ matrix.app }}/Dockerfile
          platforms: \${{ matrix.platform }}
          outputs: type=image,name=acme/\${{ matrix.app }},push-by-digest=true,push=true
`;
    // The step named with the matrix values its combinations share (langfuse's "Build and push … (${{ matrix.component }}, …)").
    expect(read(workflow).map((build) => [build.dockerfile, build.settings.platform, build.step])).toEqual([
      ['apps/api/Dockerfile', 'linux/amd64,linux/arm64', 'Build (api, ${{ matrix.platform }})'],
      ['apps/web/Dockerfile', 'linux/amd64,linux/arm64', 'Build (web, ${{ matrix.platform }})'],
    ]);
  });

  it("a matrix of mappings, read by their dotted paths (hoppscotch's platform: [{ platform: linux/amd64, cache: … }])", () => {
    const workflow = `
jobs:
  build:
    strategy:
      matrix:
        platform: [
          { platform: linux/amd64, cache: release-amd64 },
          { platform: linux/arm64, cache: release-arm64 },
        ]
    steps:
      - name: Build the backend (\${{ matrix.platform.cache }})
        uses: docker/build-push-action@v4
        with:
          context: .
          file: ./prod.Dockerfile
          target: backend
          platforms: |
            \${{ matrix.platform.platform }}
          tags: acme/backend
`;
    expect(matrixCombinations({ platform: [{ platform: 'linux/amd64', cache: 'a' }], include: [{ extra: { deep: 1 } }] })).toEqual([{ 'platform.platform': 'linux/amd64', 'platform.cache': 'a', 'extra.deep': '1' }]);
    expect(read(workflow).map((build) => [build.dockerfile, build.settings.stage, build.settings.platform, build.step])).toEqual([
      ['prod.Dockerfile', 'backend', 'linux/amd64,linux/arm64', 'Build the backend (${{ matrix.platform.cache }})'],
    ]);
  });

  it('a job calling a reusable workflow of the repository: its builds, with the inputs the caller passes (per matrix combination) over their defaults', () => {
    const caller = `
on: push
jobs:
  images:
    strategy:
      matrix:
        app: [api, web]
    uses: ./.github/workflows/build-image.yml
    with:
      dockerfile: apps/\${{ matrix.app }}/Dockerfile
      image: ghcr.io/acme/\${{ matrix.app }}
    secrets: inherit
`;
    const reusable = `
on:
  workflow_call:
    inputs:
      dockerfile: { type: string, required: true }
      image: { type: string, required: true }
      context: { type: string, default: . }
      flavour: { type: string, default: lean }
jobs:
  build:
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: \${{ inputs.context }}
          file: \${{ inputs.dockerfile }}
          tags: \${{ inputs.image }}:\${{ github.sha }}
          build-args: FLAVOUR=\${{ inputs.flavour }}
`;
    const files: Record<string, string> = { '.github/workflows/build-image.yml': reusable };
    const builds = workflowBuilds('.github/workflows/release.yml', caller, (path) => files[path]);
    expect(builds.map(({ file, job, context, dockerfile, settings }) => [file, job, context, dockerfile, settings])).toEqual(
      ['api', 'web'].map((app) => ['.github/workflows/build-image.yml', 'build', '.', `apps/${app}/Dockerfile`, { buildArgs: { FLAVOUR: 'lean' }, image: `ghcr.io/acme/${app}` }]),
    );
    // Read alone (not called), its required inputs are unknown: nothing.
    expect(workflowBuilds('.github/workflows/build-image.yml', reusable)).toEqual([]);
  });

  it("reads build-push-action's build-contexts (from the workspace root, where the action runs)", () => {
    const text = `jobs:\n  one:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          build-contexts: |\n            libs=./libs\n            base=docker-image://node:24\n`;
    expect(read(text).map((build) => build.settings.buildContexts)).toEqual([{ libs: 'libs', base: 'docker-image://node:24' }]);
  });

  it('{{defaultContext}} (the repository at the commit) and a folder of it', () => {
    const step = (context: string) => `jobs:\n  one:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: "${context}"\n`;
    expect(read(step('{{defaultContext}}')).map((build) => [build.context, build.dockerfile])).toEqual([['.', 'Dockerfile']]);
    expect(read(step('{{defaultContext}}:apps/api')).map((build) => [build.context, build.dockerfile])).toEqual([['apps/api', 'apps/api/Dockerfile']]);
    // Its file is read from the context; a path context's from the workspace root.
    expect(read(`${step('{{defaultContext}}:apps/api')}          file: Dockerfile.prod\n`).map((build) => build.dockerfile)).toEqual(['apps/api/Dockerfile.prod']);
    expect(read(`${step('apps/api')}          file: apps/api/Dockerfile.prod\n`).map((build) => build.dockerfile)).toEqual(['apps/api/Dockerfile.prod']);
  });

  it('a run step\'s docker build, from its working-directory or the defaults', () => {
    const workflow = `
defaults:
  run:
    working-directory: apps
jobs:
  one:
    steps:
      - run: docker build -t acme/web web
      - run: |
          docker buildx build --build-arg FLAVOUR=lean -f Dockerfile -t ghcr.io/acme/worker .
        working-directory: apps/worker
  two:
    defaults:
      run:
        working-directory: .
    steps:
      - run: docker build -f apps/api/Dockerfile .
`;
    expect(read(workflow).map((build) => [build.job, build.step, build.dockerfile, build.context, build.via])).toEqual([
      ['one', '#1', 'apps/web/Dockerfile', 'apps/web', 'docker build'],
      ['one', '#2', 'apps/worker/Dockerfile', 'apps/worker', 'docker build'],
      ['two', '#1', 'apps/api/Dockerfile', '.', 'docker build'],
    ]);
  });

  it('docker/bake-action and a run step\'s docker buildx bake: the targets of the Bake files they read (files, targets, workdir)', () => {
    const files: Record<string, string> = {
      'docker-bake.hcl': 'group "default" { targets = ["api"] }\ntarget "api" {\n  context = "apps/api"\n  tags = ["ghcr.io/acme/api"]\n}\ntarget "web" {\n  dockerfile = "apps/web/Dockerfile"\n}\n',
      'deploy/images.hcl': 'target "worker" {\n  context = "apps/worker"\n}\n',
    };
    const workflow = `
jobs:
  bake:
    steps:
      - name: default group
        uses: docker/bake-action@v6
        with:
          push: true
      - name: named
        uses: docker/bake-action@v6
        with:
          files: |
            ./docker-bake.hcl
            ./deploy/images.hcl
          targets: web,worker
      - name: remote definition
        uses: docker/bake-action@v6
        with:
          source: https://github.com/acme/images.git
      - name: by hand
        run: docker buildx bake -f deploy/images.hcl worker --push
`;
    const builds = workflowBuilds('.github/workflows/bake.yml', workflow, (path) => files[path]);
    expect(builds.map((build) => [build.step, build.dockerfile, build.context, build.via])).toEqual([
      ['default group', 'apps/api/Dockerfile', 'apps/api', 'docker/bake-action, target "api" of docker-bake.hcl'],
      ['named', 'apps/web/Dockerfile', '.', 'docker/bake-action, target "web" of docker-bake.hcl'],
      ['named', 'apps/worker/Dockerfile', 'apps/worker', 'docker/bake-action, target "worker" of deploy/images.hcl'],
      ['by hand', 'apps/worker/Dockerfile', 'apps/worker', 'docker buildx bake, target "worker" of deploy/images.hcl'],
    ]);
    expect(builds[0].settings).toEqual({ image: 'ghcr.io/acme/api' });
  });

  it("docker/metadata-action's images name what build-push-action (tags from its outputs) and bake-action (its bake-file) build", () => {
    const files: Record<string, string> = {
      'docker-bake.hcl':
        'target "docker-metadata-action" {}\nvariable "NODE_VERSION" {\n  default = "22.10.0-alpine3.20"\n}\ntarget "api" {\n  inherits = ["docker-metadata-action"]\n  dockerfile = "./apps/api/docker/Dockerfile"\n  args = {\n    NODE_VERSION = "${NODE_VERSION}"\n  }\n}\ntarget "web" {\n  inherits = ["docker-metadata-action"]\n  dockerfile = "./apps/web/docker/Dockerfile"\n  tags = ["registry.acme.dev/web"]\n}\n',
    };
    const workflow = `
jobs:
  bake:
    steps:
      - uses: docker/metadata-action@v5
        id: meta-api
        with:
          images: ghcr.io/planb-network/blms-api
          tags: |
            type=ref,event=branch
            type=sha,prefix=sha-
      - uses: docker/bake-action@v5
        with:
          push: true
          files: |
            ./docker-bake.hcl
            \${{ steps.meta-api.outputs.bake-file }}
          targets: api
      - uses: docker/bake-action@v6
        with:
          files: |
            ./docker-bake.hcl
            cwd://\${{ steps.meta-api.outputs.bake-file-tags }}
          targets: web
  push:
    strategy:
      matrix:
        app: [orders, billing]
    steps:
      - uses: docker/metadata-action@v5
        id: meta
        with:
          images: |
            name=docker.io/acme/\${{ matrix.app }},enable=false
            name=ghcr.io/acme/\${{ matrix.app }}
            \${{ env.EXTRA_IMAGE }}
      - uses: docker/build-push-action@v6
        with:
          file: apps/\${{ matrix.app }}/Dockerfile
          tags: \${{ steps.meta.outputs.tags }}
      - uses: docker/build-push-action@v6
        with:
          file: apps/\${{ matrix.app }}/Dockerfile.debug
          tags: \${{ steps.unknown.outputs.tags }}
`;
    const builds = workflowBuilds('.github/workflows/ci.yml', workflow, (path) => files[path]);
    expect(builds.map((build) => [build.dockerfile, build.context, build.settings.image])).toEqual([
      ['apps/api/docker/Dockerfile', '.', 'ghcr.io/planb-network/blms-api'],
      // Its own tags first.
      ['apps/web/docker/Dockerfile', '.', 'registry.acme.dev/web'],
      ['apps/orders/Dockerfile', '.', 'ghcr.io/acme/orders'],
      ['apps/billing/Dockerfile', '.', 'ghcr.io/acme/billing'],
      // A step that is no metadata-action of the job: nothing known.
      ['apps/orders/Dockerfile.debug', '.', undefined],
      ['apps/billing/Dockerfile.debug', '.', undefined],
    ]);
    expect(builds[0].settings.buildArgs).toEqual({ NODE_VERSION: '22.10.0-alpine3.20' });
  });

  it("the build-push-action drop-ins (Depot's, Blacksmith's) and depot/bake-action; an image named only by its outputs (pushed by digest per platform)", () => {
    const files: Record<string, string> = { 'docker-bake.hcl': 'target "default" {\n  dockerfile = "apps/api/Dockerfile"\n}\n' };
    const workflow = `
jobs:
  release:
    strategy:
      matrix:
        include:
          - image_name: langfuse
            dockerfile: ./web/Dockerfile
            platform: linux/amd64
          - image_name: langfuse
            dockerfile: ./web/Dockerfile
            platform: linux/arm64
          - image_name: langfuse-worker
            dockerfile: ./worker/Dockerfile
            platform: linux/amd64
    steps:
      - uses: useblacksmith/build-push-action@fb9e3e6a9299c78462bfadd0d93352c316adc9b8 # v2.2.0
        with:
          context: .
          file: \${{ matrix.dockerfile }}
          outputs: type=image,name=ghcr.io/langfuse/\${{ matrix.image_name }},push-by-digest=true,name-canonical=true,push=true
          platforms: \${{ matrix.platform }}
  depot:
    steps:
      - uses: depot/build-push-action@v1
        with:
          project: abc123
          file: apps/api/Dockerfile
          outputs: |
            type=local,dest=out
            type=registry,"name=registry.acme.dev/api,registry.acme.dev/api-mirror"
      - uses: depot/bake-action@v1
`;
    const builds = workflowBuilds('.github/workflows/pipeline.yml', workflow, (path) => files[path]);
    expect(builds.map((build) => [build.dockerfile, build.context, build.settings.image, build.settings.platform, build.via])).toEqual([
      ['web/Dockerfile', '.', 'ghcr.io/langfuse/langfuse', 'linux/amd64,linux/arm64', 'useblacksmith/build-push-action'],
      ['worker/Dockerfile', '.', 'ghcr.io/langfuse/langfuse-worker', 'linux/amd64', 'useblacksmith/build-push-action'],
      ['apps/api/Dockerfile', '.', 'registry.acme.dev/api', undefined, 'depot/build-push-action'],
      ['apps/api/Dockerfile', '.', undefined, undefined, 'depot/bake-action, target "default" of docker-bake.hcl'],
    ]);
  });

  it("GitHub's own publishing template: env.REGISTRY and env.IMAGE_NAME (github.repository, known from the origin), at workflow, job and step level", () => {
    expect(githubContext('git@github.com:Acme/Shop.git')).toEqual({ repository: 'Acme/Shop', repository_owner: 'Acme' });
    expect(githubContext('https://x-access-token:abc@github.com/Acme/Shop')).toEqual({ repository: 'Acme/Shop', repository_owner: 'Acme' });
    expect(githubContext('git@gitlab.com:acme/shop.git')).toEqual({});
    const workflow = `
env:
  REGISTRY: ghcr.io
  IMAGE_NAME: \${{ github.repository }}
jobs:
  build-and-push-image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/metadata-action@v5
        id: meta
        with:
          images: \${{ env.REGISTRY }}/\${{ env.IMAGE_NAME }}
      - uses: docker/build-push-action@v6
        with:
          context: .
          push: true
          tags: \${{ steps.meta.outputs.tags }}
  worker:
    env:
      APP: worker
    steps:
      - uses: docker/build-push-action@v6
        env:
          OWNER: \${{ github.repository_owner }}
        with:
          file: apps/\${{ env.APP }}/Dockerfile
          tags: ghcr.io/\${{ env.OWNER }}/shop-\${{ env.APP }}:latest
`;
    const builds = workflowBuilds('.github/workflows/publish.yml', workflow, () => undefined, undefined, githubContext('git@github.com:Acme/Shop.git'));
    expect(builds.map((build) => [build.dockerfile, build.settings.image])).toEqual([
      // metadata-action lowercases, as registries want.
      ['Dockerfile', 'ghcr.io/acme/shop'],
      ['apps/worker/Dockerfile', 'ghcr.io/acme/shop-worker'],
    ]);
    // No origin known: the image is not named, the paths still read.
    expect(workflowBuilds('.github/workflows/publish.yml', workflow).map((build) => [build.dockerfile, build.settings.image])).toEqual([
      ['Dockerfile', undefined],
      ['apps/worker/Dockerfile', undefined],
    ]);
  });

  it("a run step's shell variables from the env context and GitHub's own ($GITHUB_REPOSITORY, $GITHUB_WORKSPACE)", () => {
    const workflow = `
env:
  REGISTRY: ghcr.io
jobs:
  push:
    env:
      APP: api
    steps:
      - env:
          IMAGE: \${{ env.REGISTRY }}/\${{ github.repository_owner }}/shop-\${{ env.APP }}
          TOKEN: \${{ secrets.NPM_TOKEN }}
        run: |
          docker build -f "$GITHUB_WORKSPACE/apps/\${APP}/Dockerfile" -t "$IMAGE:$GITHUB_SHA" --build-arg NPM_TOKEN=$TOKEN $GITHUB_WORKSPACE
          docker push "$IMAGE:$GITHUB_SHA"
      - run: docker build -t ghcr.io/$GITHUB_REPOSITORY:latest .
`;
    const builds = workflowBuilds('.github/workflows/push.yml', workflow, () => undefined, undefined, githubContext('git@github.com:Acme/Shop.git'));
    expect(builds.map((build) => [build.dockerfile, build.context, build.settings.image])).toEqual([
      ['apps/api/Dockerfile', '.', 'ghcr.io/acme/shop-api'],
      ['Dockerfile', '.', 'ghcr.io/acme/shop'],
    ]);
    // A secret stays unknown: never carried as a value.
    expect(JSON.stringify(builds)).not.toContain('secrets.NPM_TOKEN');
  });

  it("another action whose inputs name a Dockerfile and a context or image (makeplane/plane's own build-push), its names from a setup job's outputs", () => {
    const workflow = `
on: push
jobs:
  branch_build_setup:
    outputs:
      dh_img_web: \${{ steps.set_env_variables.outputs.DH_IMG_WEB }}
      dh_img_backend: \${{ steps.set_env_variables.outputs.DH_IMG_BACKEND }}
      gh_branch_name: \${{ steps.set_env_variables.outputs.TARGET_BRANCH }}
    steps:
      - id: set_env_variables
        run: |
          echo "TARGET_BRANCH=\${{ github.ref_name }}" >> $GITHUB_OUTPUT
          echo "DH_IMG_WEB=plane-frontend" >> $GITHUB_OUTPUT
          echo "DH_IMG_BACKEND=plane-backend" >> "$GITHUB_OUTPUT"
  branch_build_push_web:
    needs: [branch_build_setup]
    steps:
      - uses: hadolint/hadolint-action@v3.1.0
        with:
          dockerfile: ./apps/web/Dockerfile.web
      - id: build
        uses: makeplane/actions/build-push@v1.4.0
        with:
          docker-image-owner: makeplane
          docker-image-name: \${{ needs.branch_build_setup.outputs.dh_img_web }}
          build-context: .
          dockerfile-path: ./apps/web/Dockerfile.web
          build-args: |
            NODE_ENV=production
  branch_build_push_api:
    needs: [branch_build_setup]
    steps:
      - uses: ./.github/actions/docker-build
        with:
          context: ./apps/api
          dockerfile: Dockerfile.api
          image: \${{ needs.branch_build_setup.outputs.dh_img_backend }}
          registry: ghcr.io
      # Its image from an output no step writes literally: the build is read, the name not.
      - uses: makeplane/actions/build-push@v1.4.0
        with:
          docker-image-name: \${{ needs.branch_build_setup.outputs.gh_branch_name }}
          build-context: ./apps/api
          dockerfile-path: ./apps/api/Dockerfile.dev
`;
    const files = new Set(['apps/web/Dockerfile.web', 'apps/api/Dockerfile.api', 'apps/api/Dockerfile.dev']);
    const builds = workflowBuilds('.github/workflows/build-branch.yml', workflow, (path) => (files.has(path) ? 'FROM scratch\n' : undefined));
    expect(builds.map(({ dockerfile, context, settings, via }) => ({ dockerfile, context, image: settings.image, buildArgs: settings.buildArgs, via }))).toEqual([
      { dockerfile: 'apps/web/Dockerfile.web', context: '.', image: 'makeplane/plane-frontend', buildArgs: { NODE_ENV: 'production' }, via: 'makeplane/actions/build-push' },
      { dockerfile: 'apps/api/Dockerfile.api', context: 'apps/api', image: 'ghcr.io/plane-backend', buildArgs: undefined, via: './.github/actions/docker-build' },
      { dockerfile: 'apps/api/Dockerfile.dev', context: 'apps/api', image: undefined, buildArgs: undefined, via: 'makeplane/actions/build-push' },
    ]);
  });

  it('leaves out what it cannot know: an expression in a path, a matrix from an expression, a remote context, a file that is not YAML', () => {
    const workflow = `
jobs:
  dynamic:
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    steps:
      - uses: docker/build-push-action@v6
        with:
          file: apps/\${{ matrix.app }}/Dockerfile
      - uses: docker/build-push-action@v6
        with:
          context: \${{ github.workspace }}/apps/api
      - uses: docker/build-push-action@v6
        with:
          context: https://github.com/acme/shop.git#main
      - uses: docker/build-push-action@v6
        with:
          context: ../elsewhere
`;
    expect(read(workflow)).toEqual([]);
    expect(read('jobs: [unclosed')).toEqual([]);
  });
});

describe('matrixCombinations, as GitHub expands a job matrix', () => {
  it.each([
    [{ app: ['api', 'web'], node: [22, 24] }, [{ app: 'api', node: '22' }, { app: 'api', node: '24' }, { app: 'web', node: '22' }, { app: 'web', node: '24' }]],
    // include: added to the combinations whose original values it keeps, else a combination of its own; exclude removes.
    [
      { app: ['api', 'web'], include: [{ app: 'web', dockerfile: 'web.Dockerfile' }, { app: 'worker' }], exclude: [{ app: 'api' }] },
      [{ app: 'web', dockerfile: 'web.Dockerfile' }, { app: 'worker' }],
    ],
    [{ include: [{ app: 'api' }, { app: 'web' }] }, [{ app: 'api' }, { app: 'web' }]],
    ['${{ fromJSON(x) }}', undefined],
    [{ app: '${{ fromJSON(x) }}' }, undefined],
  ])('%j', (matrix, expected) => {
    expect(matrixCombinations(matrix)).toEqual(expected);
  });
});
