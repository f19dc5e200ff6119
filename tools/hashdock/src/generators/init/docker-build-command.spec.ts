import { describe, expect, it } from 'vitest';
import { dockerBuildsIn as withSettings } from './docker-build-command';

/** Which Dockerfile from where (settings: their own test). */
const dockerBuildsIn = (command: string, cwd?: string) => withSettings(command, cwd).map(({ settings: _settings, ...build }) => build);

describe('dockerBuildsIn', () => {
  it('reads -f and the context as docker does: both from the working directory, the file by default in the context', () => {
    expect(dockerBuildsIn('docker build -f apps/server/Dockerfile . -t server')).toEqual([{ dockerfile: 'apps/server/Dockerfile', context: '.' }]);
    expect(dockerBuildsIn('docker build -t api .', 'apps/api')).toEqual([{ dockerfile: 'apps/api/Dockerfile', context: 'apps/api' }]);
    expect(dockerBuildsIn('docker build --file=Dockerfile --build-arg A=1 --platform linux/amd64 ../..', 'apps/api')).toEqual([{ dockerfile: 'apps/api/Dockerfile', context: '.' }]);
    expect(dockerBuildsIn('docker buildx build --push --tag x/y:1 --load -f ./apps/web/Dockerfile ./')).toEqual([{ dockerfile: 'apps/web/Dockerfile', context: '.' }]);
    expect(dockerBuildsIn('podman build -t w apps/worker')).toEqual([{ dockerfile: 'apps/worker/Dockerfile', context: 'apps/worker' }]);
    expect(dockerBuildsIn('docker image build apps/worker')).toEqual([{ dockerfile: 'apps/worker/Dockerfile', context: 'apps/worker' }]);
    expect(dockerBuildsIn('docker compose build api')).toEqual([]);
  });

  it('reads a command continued over lines, and each line as a command', () => {
    expect(dockerBuildsIn('docker build \\\n  -f apps/api/Dockerfile \\\n  -t api \\\n  .')).toEqual([{ dockerfile: 'apps/api/Dockerfile', context: '.' }]);
    expect(dockerBuildsIn('cd apps/web\ndocker build -t web .')).toEqual([{ dockerfile: 'apps/web/Dockerfile', context: 'apps/web' }]);
    // A command substitution is one word: its spaces and semicolons do not split the command.
    const [tagged] = withSettings('docker build -t ghcr.io/acme/api:$(git rev-parse --short HEAD; echo x) -t `whoami`/api -f apps/api/Dockerfile .');
    expect(tagged).toEqual({ dockerfile: 'apps/api/Dockerfile', context: '.', settings: { image: 'ghcr.io/acme/api' } });
  });

  it('follows a cd and finds each build in a chain', () => {
    expect(dockerBuildsIn('nx build api && cd apps/api && docker build -t api . && docker push api')).toEqual([{ dockerfile: 'apps/api/Dockerfile', context: 'apps/api' }]);
    expect(dockerBuildsIn('docker build -f a/Dockerfile a; docker build -f b/Dockerfile .')).toEqual([
      { dockerfile: 'a/Dockerfile', context: 'a' },
      { dockerfile: 'b/Dockerfile', context: '.' },
    ]);
  });

  it('reads what it passes: --build-arg (a name alone: from the environment), --target, --platform, --label', () => {
    const [build] = withSettings('docker build --build-arg NODE_ENV=production --build-arg=NPM_TOKEN --target runtime --platform=linux/arm64 --label team=core -f apps/api/Dockerfile .');
    expect(build.settings).toEqual({ buildArgs: { NODE_ENV: 'production', NPM_TOKEN: undefined }, labels: { team: 'core' }, stage: 'runtime', platform: 'linux/arm64' });
    expect(withSettings('docker build .')[0].settings).toEqual({});
  });

  it('names the image by its --output when no tag does (type=image or registry, name=…; others name none)', () => {
    expect(withSettings("docker buildx build --output type=image,name=ghcr.io/acme/api,push-by-digest=true,push=true -f apps/api/Dockerfile .")[0].settings).toEqual({ image: 'ghcr.io/acme/api' });
    expect(withSettings('docker buildx build -o \'type=registry,"name=registry.acme.dev/web,registry.acme.dev/web2"\' apps/web')[0].settings).toEqual({ image: 'registry.acme.dev/web' });
    expect(withSettings('docker buildx build -t acme/api --output type=image,name=ghcr.io/acme/other .')[0].settings).toEqual({ image: 'ghcr.io/acme/other' });
    expect(withSettings('docker buildx build --output type=local,dest=out .')[0].settings).toEqual({});
  });

  it('reads the named build contexts it passes (--build-context name=path): a directory as a workspace path from where it runs, other values as written', () => {
    const [build] = withSettings('docker buildx build --build-context libs=../../libs --build-context=base=docker-image://node:24 -f Dockerfile .', 'apps/api');
    expect(build.settings).toEqual({ buildContexts: { libs: 'libs', base: 'docker-image://node:24' } });
  });

  it('a variable beside the context stands for arguments known only when it runs (novu\'s $DOCKER_BUILD_ARGUMENTS): the literal path is the context', () => {
    for (const command of ['docker buildx build --load -f ./Dockerfile -t novu-web ./../.. $DOCKER_BUILD_ARGUMENTS', 'docker build $EXTRA_FLAGS -f ./Dockerfile ../..']) {
      const [build] = withSettings(command, 'apps/web');
      expect(build, command).toMatchObject({ context: '.', dockerfile: 'apps/web/Dockerfile' });
      expect(build.settings.unknownArgs, command).toEqual([command.includes('$DOCKER') ? '$DOCKER_BUILD_ARGUMENTS' : '$EXTRA_FLAGS']);
    }
    // Only a variable: that is the context, known only when it runs (not followed, as before).
    expect(withSettings('docker build -f Dockerfile $CONTEXT')).toEqual([]);
    expect(withSettings('docker build $A $B')).toEqual([]);
  });

  it('reads RUN\'s network, hosts and ssh forwards; an ssh key path from the working directory', () => {
    const [build] = withSettings('docker build --network=host --add-host registry.internal:10.0.0.5 --ssh default --ssh github=keys/id_ed25519 .', 'apps/api');
    expect(build.settings).toEqual({ network: 'host', addHosts: ['registry.internal:10.0.0.5'], ssh: ['default', 'github=apps/api/keys/id_ed25519'] });
  });

  it('reads --secret by reference: a file from the working directory, an env, or the variable named like the id', () => {
    const [build] = withSettings('docker build --secret id=npmrc,src=.npmrc --secret id=token,env=GH_TOKEN --secret id=BULL_TOKEN --secret=id=home,src=~/.netrc -f ./Dockerfile ../..', 'apps/ws');
    expect(build).toMatchObject({ dockerfile: 'apps/ws/Dockerfile', context: '.' });
    expect(build.settings).toEqual({ secretFiles: { npmrc: 'apps/ws/.npmrc', home: '~/.netrc' }, secrets: { token: 'GH_TOKEN', BULL_TOKEN: 'BULL_TOKEN' } });
  });

  it('leaves out what is not a literal path in the workspace', () => {
    for (const command of [
      'cat ctx.tar | docker build -',
      'docker build -f apps/api/Dockerfile $CONTEXT',
      'docker build -f ${FILE} .',
      'docker build https://github.com/acme/api.git#main',
      'docker build /abs/path',
      'docker build ../outside',
      'docker images',
      'echo build .',
    ])
      expect(dockerBuildsIn(command), command).toEqual([]);
  });

  it('tells why a build is not followed, with the command from its docker; a followed build or another command tells nothing', () => {
    const told = (command: string, cwd = '.') => {
      const notes: string[] = [];
      withSettings(command, cwd, { unfollowed: (shown, reason) => notes.push(`${shown} | ${reason}`) });
      return notes;
    };
    expect(told('pnpm-context -- apps/api/Dockerfile | docker buildx build --build-arg PACKAGE_PATH=apps/api - -t api $EXTRA')).toEqual([
      'docker buildx build --build-arg PACKAGE_PATH=apps/api - -t api $EXTRA | its context comes on stdin',
    ]);
    expect(told('docker build -f apps/api/Dockerfile $CONTEXT')).toEqual(['docker build -f apps/api/Dockerfile $CONTEXT | its context is only known when it runs']);
    expect(told('docker build -f - .')).toEqual(['docker build -f - . | its Dockerfile comes on stdin']);
    expect(told('docker build -f ${FILE} .')).toEqual(['docker build -f ${FILE} . | its Dockerfile is only known when it runs']);
    expect(told('docker build https://github.com/acme/api.git#main')).toEqual(['docker build https://github.com/acme/api.git#main | its context is a remote repository or URL']);
    expect(told('docker build /abs/path')).toEqual(['docker build /abs/path | its context is an absolute path']);
    expect(told('cd .. && docker build .', 'apps')).toEqual([]);
    expect(told('docker build ../..', 'apps')).toEqual(['docker build ../.. | it builds from outside the workspace']);
    expect(told(`docker build --build-arg A=${'x'.repeat(100)} -`)[0]).toMatch(/^docker build --build-arg A=x+… \| its context comes on stdin$/);
    for (const quiet of ['docker build -f apps/api/Dockerfile .', 'docker images', 'docker build --help', 'echo build -']) expect(told(quiet), quiet).toEqual([]);
    // Where the Dockerfile such a build builds may be, when the line says it: -f (read from the disk), or the one path the
    // command piping the context in names, from where the build runs and from the root (`pnpm --workspace-root` runs there).
    const built = (command: string, cwd = '.') => {
      const dockerfiles: string[][] = [];
      withSettings(command, cwd, { unfollowed: (_shown, _reason, paths = []) => dockerfiles.push(paths) });
      return dockerfiles;
    };
    expect(built('pnpm --workspace-root pnpm-context -- apps/api/Dockerfile | docker buildx build - -t api')).toEqual([['apps/api/Dockerfile']]);
    expect(built('pnpm --workspace-root pnpm-context -- apps/api/Dockerfile | docker buildx build - -t api', 'apps/api')).toEqual([['apps/api/apps/api/Dockerfile', 'apps/api/Dockerfile']]);
    expect(built('tar -c ../worker.Dockerfile src | docker build -', 'apps/api')).toEqual([['apps/worker.Dockerfile']]);
    expect(built('docker build -f docker/api.Dockerfile - < ctx.tar', 'apps')).toEqual([['apps/docker/api.Dockerfile']]);
    expect(built('make-context apps/api/Dockerfile apps/web/Dockerfile | docker build -')).toEqual([[]]);
    expect(built('cat ctx.tar | docker build -')).toEqual([[]]);
    expect(built('docker build -f apps/api/Dockerfile $CONTEXT')).toEqual([['apps/api/Dockerfile']]);
  });
});
