/**
 * How the registry builder writes modes, and so how its content hash records
 * them: as git does (0644, or 0755 when the owner may execute; directories
 * 0755). A checkout's umask never reaches such an image, so the same bytes give
 * the same tag and digest on every machine. The docker builder copies full
 * modes and its hash records them as they are.
 */
export type ModeRule = 'exact' | 'git';

export function gitMode(kind: 'file' | 'dir', mode: number): number {
  return kind === 'dir' || mode & 0o100 ? 0o755 : 0o644;
}
