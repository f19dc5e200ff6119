import { InvalidOptionError } from '../errors';
import { isStringRecord } from './option-values';

/** The labels every Hashdock image carries, whichever builder made it. */
export const LABEL_CONTENT_HASH = 'dev.hashdock.content-hash';
export const LABEL_PROJECT = 'dev.hashdock.project';

/**
 * A `labels` option as an image may carry it: names without `=` or space, not
 * Hashdock's own, values without templates. Labels are part of the image and
 * so of its content hash: a per-commit value (`{gitSha}`) would make every
 * commit a new image of every project, which the `git-{gitSha}` tag already
 * records without a rebuild.
 */
export function checkImageLabels(labels: unknown, where: string): Record<string, string> {
  if (!isStringRecord(labels))
    throw new InvalidOptionError('labels', `${where}: option "labels" must be an object of strings (label name → value)`);
  for (const [name, value] of Object.entries(labels)) {
    if (!name || /[=\s]/.test(name)) throw new InvalidOptionError('labels', `${where}: label name ${JSON.stringify(name)} is not valid (not empty, no "=" or whitespace)`);
    if (name.startsWith('dev.hashdock.')) throw new InvalidOptionError('labels', `${where}: label ${name} is Hashdock's own (${LABEL_CONTENT_HASH}, ${LABEL_PROJECT}); choose another name`);
    if (/\{\w+\}/.test(value))
      throw new InvalidOptionError(
        'labels',
        `${where}: label ${name} has the template ${/\{\w+\}/.exec(value)![0]}: labels are part of the image and its content hash, so a per-commit or per-release value would rebuild every image. ` +
          'Use a fixed value; the commit and version are tags (git-{gitSha}, {version}) of the same image.',
      );
  }
  return { ...labels };
}
