/**
 * Seconds spent per phase of one image: setup (options, paths, Dockerfile),
 * bases (workspace base manifests checked, external bases resolved: the first
 * registry requests), hash, lookup (is the tag there), then for a new image
 * build and publish. `process` is how long the process had run when the image
 * began (a task process Nx reuses: since it started); `start`, from the
 * moment the task entered the executor (`enteredAt`), what came before the
 * image (git commit, options).
 */
export function phaseClock(started: number, enteredAt?: number) {
  const phases: Record<string, number> = { process: started / 1000, ...(enteredAt !== undefined ? { start: (started - enteredAt) / 1000 } : {}) };
  let last = started;
  return {
    mark(name: string) {
      const now = performance.now();
      phases[name] = (now - last) / 1000;
      last = now;
    },
    phases: () => Object.fromEntries(Object.entries(phases).map(([name, seconds]) => [name, Math.round(seconds * 1000) / 1000])),
  };
}
