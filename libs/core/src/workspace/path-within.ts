/** Whether a slash-separated, workspace-relative `path` is `folder` or inside it; `.` holds every path. */
export function pathWithin(path: string, folder: string): boolean {
  return folder === '.' || path === folder || path.startsWith(`${folder}/`);
}
