import { ProjectConfiguration, readNxJson, Tree } from '@nx/devkit';

export interface ReleaseName {
  /** The repository nx release (with @nx/docker) tags and pushes the project's image as. */
  name: string;
  /** Where it is set, for the note: `its release.docker.repositoryName`, `release group "api"'s docker.repositoryName`, … */
  from: string;
}

interface DockerRelease {
  docker?: { repositoryName?: unknown } | boolean;
  projects?: string | string[];
}

/**
 * Each project's image name under nx release, as Nx resolves it: the project's own `release.docker.repositoryName`,
 * else its release group's `docker.repositoryName`, else nx.json's `release.docker.repositoryName` (every group
 * inherits it). Keyed by project root. A name set for a group of several projects falls on each of them; the caller
 * refuses names two images would share.
 */
export function releaseNames(tree: Tree, projects: readonly (readonly [string, ProjectConfiguration])[]): Map<string, ReleaseName> {
  const release = (readNxJson(tree)?.release ?? {}) as DockerRelease & { groups?: Record<string, DockerRelease> };
  const rootName = repositoryNameOf(release.docker);
  // No groups: one implicit group of `release.projects` (every project when unset).
  const groups = release.groups ? Object.entries(release.groups) : [['', { projects: release.projects ?? '*' } as DockerRelease] as const];
  const names = new Map<string, ReleaseName>();
  for (const [projectName, project] of projects) {
    const own = repositoryNameOf((project.release as DockerRelease | undefined)?.docker);
    if (own) {
      names.set(project.root, { name: own, from: 'its release.docker.repositoryName' });
      continue;
    }
    const group = groups.find(([, config]) => inGroup(config.projects, projectName, project));
    if (!group) continue;
    const [groupName, config] = group;
    const groupOwn = repositoryNameOf(config.docker);
    if (groupOwn) names.set(project.root, { name: groupOwn, from: `release group "${groupName}"'s docker.repositoryName` });
    else if (rootName) names.set(project.root, { name: rootName, from: "nx.json's release.docker.repositoryName" });
  }
  return names;
}

function repositoryNameOf(docker: DockerRelease['docker']): string | undefined {
  const name = typeof docker === 'object' && docker !== null ? docker.repositoryName : undefined;
  return typeof name === 'string' && name ? name : undefined;
}

/** Nx's project patterns, as far as release groups use them: names, globs over names and roots, `tag:…`, `!` to leave out. */
function inGroup(patterns: DockerRelease['projects'], name: string, project: ProjectConfiguration): boolean {
  const list = patterns === undefined ? [] : Array.isArray(patterns) ? patterns : patterns.split(',').map((p) => p.trim());
  let included = false;
  for (const raw of list) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const matches = pattern.startsWith('tag:') ? (project.tags ?? []).some((tag) => globMatches(pattern.slice(4), tag)) : globMatches(pattern, name) || globMatches(pattern, project.root);
    if (matches) included = !negated;
  }
  return included;
}

function globMatches(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*?/g, (star) => (star === '**' ? '.*' : '[^/]*')).replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`).test(value);
}
