import { hasExceptions, IgnorePattern } from '@hashdock/core';

/**
 * Nx fileset inputs for a build context: everything under it, minus what
 * `.dockerignore` excludes. With `!` exceptions the translation would be
 * inexact, so the whole context counts (never miss a change; the content
 * hash stays exact either way).
 */
export function contextInputs(contextToken: string, patterns: readonly IgnorePattern[]): string[] {
  const inputs = [`${contextToken}/**/*`];
  if (hasExceptions(patterns)) return inputs;
  for (const pattern of patterns) {
    if (pattern.cleaned === '.' ) return [];
    inputs.push(`!${contextToken}/${pattern.cleaned}`);
    if (!pattern.cleaned.endsWith('**')) inputs.push(`!${contextToken}/${pattern.cleaned}/**`);
  }
  return inputs;
}
