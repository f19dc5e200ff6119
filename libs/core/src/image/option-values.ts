/** An option that is an object of strings (`buildArgs`, `labels`, `mirrors`, `secretFiles`…). */
export function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
}

/** BuildKit's rule for a secret or SSH id (`--secret id=…`, `--ssh <id>`). */
export const BUILDKIT_ID = /^[A-Za-z0-9_.-]+$/;
