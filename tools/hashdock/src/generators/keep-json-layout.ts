import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { editJsonText } from '@hashdock/core';

/**
 * Each JSON file changed that was on disk before: its original text with only what changed edited in (editJsonText),
 * so a workspace formatted by something formatFiles does not run (biome, dprint, a hand layout: lukevella/rallly's
 * turbo.json) sees the lines a generator added, not the whole file reprinted with every array expanded; comments stay.
 */
export function keepJsonLayout(tree: Tree): void {
  for (const change of tree.listChanges()) {
    if (change.type !== 'UPDATE' || !change.path.endsWith('.json') || !change.content) continue;
    const path = join(tree.root, change.path);
    if (!existsSync(path)) continue;
    try {
      tree.write(change.path, editJsonText(readFileSync(path, 'utf8'), JSON.parse(change.content.toString('utf8'))));
    } catch {
      // Not plain JSON as written: left as the generator wrote it.
    }
  }
}
