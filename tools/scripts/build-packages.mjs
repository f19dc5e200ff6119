// Build the published packages (@hashdock/core, @hashdock/nx-plugin) before Nx
// runs: nx.json registers the plugin, and Nx cannot load it until its dist/
// exists, so Nx cannot build it itself the first time. This performs exactly
// each package's `build` target (@nx/js:tsc) from its project.json options:
// tsc with the same tsconfig, then the same assets. Skipped when dist/ is newer
// than every source file. `nx run-many -t build` remains the build of record.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import fg from 'fast-glob';

const root = join(dirname(new URL(import.meta.url).pathname), '../..');
const packages = ['libs/core', 'tools/hashdock'];
const force = process.argv.includes('--force');

const newestSource = (dir) =>
  Math.max(...fg.sync(['src/**/*', 'tsconfig.lib.json', 'project.json', 'package.json'], { cwd: join(root, dir), ignore: ['**/*.spec.ts'] }).map((file) => statSync(join(root, dir, file)).mtimeMs));

for (const dir of packages) {
  const stamp = join(root, dir, 'dist', '.build-stamp');
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(dir)) continue;
  const { options } = JSON.parse(readFileSync(join(root, dir, 'project.json'), 'utf8')).targets.build;
  const started = Date.now();
  const out = join(root, options.outputPath);
  // Built beside dist/ and swapped in: a process loading the package meanwhile (an Nx run of the e2e suites
  // while a script rebuilds after an edit) sees the old dist/ or the new one, never one emptied by the rebuild.
  const next = `${out}.next-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, options.tsConfig), '--outDir', next, '--tsBuildInfoFile', join(next, 'tsconfig.lib.tsbuildinfo')], { stdio: 'inherit', cwd: root });
  for (const asset of options.assets ?? []) {
    for (const file of fg.sync(asset.glob, { cwd: join(root, asset.input), dot: true })) {
      const target = join(next, asset.output, file);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(root, asset.input, file), target);
    }
  }
  mkdirSync(next, { recursive: true });
  // tsc writes plain files; a bin must stay executable for the node_modules/.bin link (npm sets this only at install).
  const { bin } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  for (const file of Object.values(typeof bin === 'string' ? { bin } : (bin ?? {}))) chmodSync(join(next, relative(out, join(root, dir, file))), 0o755);
  writeFileSync(join(next, '.build-stamp'), '');
  const old = `${out}.old-${process.pid}`;
  try {
    renameSync(out, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    renameSync(next, out);
  } catch (error) {
    // Another build swapped its own in first: the same sources, so its dist/ will do.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    rmSync(next, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  console.error(`hashdock: built ${relative(root, out)} (${Date.now() - started} ms)`);
}
