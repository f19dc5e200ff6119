/**
 * Abort `controller` when the process that started us dies, even by SIGKILL
 * (which gives it no chance to clean up): an IPC channel (Nx forks its task
 * processes with one) disconnects, and otherwise our parent pid changes as we
 * are re-parented. Returns a function that stops watching.
 */
export function abortWhenParentDies(controller: AbortController, intervalMs = 250): () => void {
  const parent = process.ppid;
  const abort = () => controller.abort(new Error(`the parent process ${parent} died`));
  const timer = setInterval(() => {
    if (process.ppid !== parent) abort();
  }, intervalMs);
  timer.unref();
  if (process.connected) process.once('disconnect', abort);
  return () => {
    clearInterval(timer);
    process.removeListener('disconnect', abort);
  };
}
