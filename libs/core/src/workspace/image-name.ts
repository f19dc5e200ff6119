/** A repository-safe image name for a project: `@acme/api` → `api`, `Billing_API` → `billing_api`. */
export function imageNameOf(projectName: string): string {
  const unscoped = projectName.startsWith('@') ? projectName.slice(projectName.indexOf('/') + 1) : projectName;
  return unscoped.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'image';
}
