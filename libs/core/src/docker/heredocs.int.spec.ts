import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../../../e2e/support/environment';
import { runCommand } from '../process/run-command';
import { contextScopeOf } from './context-reads';
import { DockerDriver } from './docker-driver';

const environment = await checkEnvironment();

/**
 * Here-documents as BuildKit reads them: each case's Dockerfile is built by the engine from scratch, and the
 * files in the image (here-documents and context files alike) must be exactly those expected, while the
 * context files the hash reads (contextScopeOf) must be exactly the copied ones. A here-document read as
 * running on to the end of the file would hide the COPY after it from the hash.
 */
describe.skipIf(!environment.available)('here-documents agree with BuildKit', () => {
  let dir = '';
  const docker = new DockerDriver();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-heredoc-int-'));
    for (const name of ['a.txt', 'b.txt']) await writeFile(join(dir, name), `${name}\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // [case, Dockerfile, files in the image (directories aside), context files read]
  const cases: [string, string, string[], string[]][] = [
    ['a name with a dot', 'FROM scratch\nCOPY <<nginx.conf /etc/n.conf\nserver {}\nnginx.conf\nCOPY a.txt /a.txt\n', ['a.txt', 'etc/n.conf'], ['a.txt']],
    ['a quoted name, and <<- stripping tabs', 'FROM scratch\nCOPY <<-"END" /x.txt\n\tx\n\tEND\nCOPY a.txt /a.txt\n', ['a.txt', 'x.txt'], ['a.txt']],
    ['two here-documents and a context file in one COPY', 'FROM scratch\nCOPY <<one <<two b.txt /dst/\n1\none\n2\ntwo\nCOPY a.txt /a.txt\n', ['a.txt', 'dst/b.txt', 'dst/one', 'dst/two'], ['b.txt', 'a.txt']],
    ['a name with a dash and digits', 'FROM scratch\nCOPY <<end-2 /y\ny\nend-2\nCOPY a.txt /a.txt\n', ['a.txt', 'y'], ['a.txt']],
  ];

  it.each(cases)('%s', async (_, text, files, read) => {
    const scope = contextScopeOf(text, {});
    expect(scope.kind === 'sources' ? scope.sources.map((source) => source.path) : scope).toEqual(read);
    const tag = `hashdock-heredoc-int:${Date.now().toString(36)}`;
    await writeFile(join(dir, 'Dockerfile'), text);
    await docker.build({ dockerfile: join(dir, 'Dockerfile'), contextDir: dir, tags: [tag] });
    const container = (await runCommand('/usr/bin/docker', ['create', tag, 'none'])).stdout.trim();
    try {
      const listed = (await runCommand('bash', ['-c', `/usr/bin/docker export ${container} | tar -t`])).stdout.split('\n');
      expect(listed.filter((path) => path && !path.endsWith('/') && !/^(\.dockerenv|dev\/|etc\/(hostname|hosts|resolv\.conf|mtab)|proc\/|sys\/)/.test(path)).sort()).toEqual(files);
    } finally {
      await runCommand('/usr/bin/docker', ['rm', container]);
      await runCommand('/usr/bin/docker', ['rmi', tag]);
    }
  });
});
