import { hasExceptions, IgnorePattern } from '@hashdock/core';

/**
 * Nx fileset inputs for a build context: everything under it, minus what
 * `.dockerignore` excludes. With `!` exceptions the translation would be
 * inexact, so the whole context counts (never miss a change; the content
 * hash stays exact either way).
 */
export function contextInputs(contextToken: string, patterns: readonly IgnorePattern[] | undefined): string[] {
  const inputs = [`${contextToken}/**/*`];
  // Unreadable patterns (an invalid .dockerignore fails the build itself) count the whole context too.
  if (!patterns || hasExceptions(patterns)) return inputs;
  for (const pattern of patterns) {
    // `.` excludes the whole context: only the Dockerfile (added by the caller) counts.
    if (pattern.cleaned === '.') return [];
    inputs.push(`!${contextToken}/${pattern.cleaned}`);
    if (!pattern.cleaned.endsWith('**')) inputs.push(`!${contextToken}/${pattern.cleaned}/**`);
  }
  return inputs;
}
