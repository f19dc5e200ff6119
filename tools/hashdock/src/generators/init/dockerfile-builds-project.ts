import { posix } from 'node:path';
import { getProjects, readJson, Tree } from '@nx/devkit';
import { dockerfileForStage, parseDockerfile } from '@hashdock/core';

/**
 * How a RUN line names the workspace project it builds: pnpm's `--filter`/`-F` (`./apps/api`, `{./apps/api}`,
 * `@acme/api...`), turbo's `prune` and `--filter`/`--scope`, Nx's `nx build <project>` and `nx run <project>:<target>`,
 * npm's `-w`/`--workspace`, `yarn workspace <name>`.
 */
const NAMING = [
  /(?:--filter[= ]|-F ?|--scope[= ])["']?([^\s"']+)/g,
  /\bturbo(?:@\S+)? prune ([^\s-][^\s]*)/g,
  /\bnx (?:build|run|run-many -p|serve) ([^\s:-][^\s:]*)/g,
  /(?:^|\s)(?:-w|--workspace)[= ]["']?([^\s"']+)/g,
  /\byarn workspace ([^\s]+)/g,
];

/**
 * The one workspace project a Dockerfile builds (`stage`: built as that stage, read as far as it reaches, its WORKDIR
 * and COPY folders counted too), as its RUN lines name it: Dokploy's root `Dockerfile.server` runs
 * `pnpm --filter=@dokploy/server build`, then `pnpm --filter=./apps/api run build` and `deploy`: apps/api, the one of
 * those no other named one depends on. Undefined when they name none, or more than one such top project.
 */
export function dockerfileBuildsProject(tree: Tree, dockerfile: string, stage?: string): string | undefined {
  const whole = tree.read(dockerfile, 'utf8');
  if (!whole) return undefined;
  let text = whole;
  if (stage !== undefined) {
    // Built as one stage: the stages it reaches only (hoppscotch's prod.Dockerfile, stage app: the frontend's).
    try {
      text = dockerfileForStage(whole, stage, dockerfile);
    } catch {
      return undefined;
    }
  }
  const projects = [...getProjects(tree)].filter(([, project]) => project.root !== '.' && project.root !== '');
  const rootOf = (word: string) => {
    const selector = word.replace(/^\{(.*)\}$/, '$1').replace(/^\^?\.\.\.|\.\.\.$/g, '').replace(/^\.\//, '').replace(/\/$/, '');
    return projects.find(([name, project]) => [name, project.root].includes(selector) || (name.startsWith('@') && name.replace(/^@[^/]+\//, '') === selector))?.[1].root;
  };
  const named = new Set<string>();
  for (const instruction of parseDockerfile(text).instructions) {
    if (instruction.keyword === 'RUN')
      for (const pattern of NAMING) for (const match of instruction.rest.matchAll(pattern)) {
        const root = rootOf(match[1]);
        if (root) named.add(root);
      }
    // A stage's folders name the project too, in a build of one stage (`WORKDIR /usr/src/app/packages/web`,
    // `COPY --from=fe /usr/src/app/packages/web/dist /site`).
    if (stage !== undefined && (instruction.keyword === 'WORKDIR' || instruction.keyword === 'COPY'))
      for (const [, project] of projects) if (mentionsFolder(instruction.rest, project.root)) named.add(project.root);
  }
  // The project built on the others (an app over the libraries it is built after): none of the others depends on it.
  const packageName = (root: string) => (tree.exists(posix.join(root, 'package.json')) ? (readJson(tree, posix.join(root, 'package.json')) as { name?: unknown }).name : undefined);
  const dependsOn = (root: string, other: string) => {
    const name = packageName(other);
    if (typeof name !== 'string' || !tree.exists(posix.join(root, 'package.json'))) return false;
    const json = readJson(tree, posix.join(root, 'package.json')) as Record<string, Record<string, unknown> | undefined>;
    return ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].some((field) => json[field]?.[name] !== undefined);
  };
  const tops = [...named].filter((root) => ![...named].some((other) => other !== root && dependsOn(other, root)));
  return tops.length === 1 ? tops[0] : undefined;
}

/** Whether an instruction's text names `root` as a folder of its paths (`/usr/src/app/packages/web/dist`, `packages/web/`). */
function mentionsFolder(text: string, root: string): boolean {
  const escaped = root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[\\s/'"=])${escaped}(?:/|$|[\\s'"])`).test(text);
}
