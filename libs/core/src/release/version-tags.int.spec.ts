import { describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../../../e2e/support/environment';
import { pushOneLayerImage } from '../../../../e2e/support/one-layer-image';
import { ImageManifest } from '../manifest/image-manifest';
import { RegistryClient } from '../registry/client';
import { TagConflictError } from '../registry/errors';
import { sha256Digest } from '../registry/manifest-io';
import { retag } from '../registry/retag';
import { hasTag } from '../registry/tag-exists';
import { tagReleaseImages } from './version-tags';

const environment = await checkEnvironment();

/** Release tags on the real registry: by digest, refused before anything is written when one names another image. */
describe.skipIf(!environment.available)('release version tags (real registry)', () => {
  const client = new RegistryClient();
  const namespace = `version-tags-${Date.now().toString(36)}`;

  /** A one-layer image pushed under its content-hash tag, and the manifest a run would have written for it. */
  async function pushed(image: string, content: string): Promise<ImageManifest> {
    const repository = `localhost:5000/${namespace}/${image}`;
    const contentHash = sha256Digest(new Uint8Array(Buffer.from(content))).slice(7, 23);
    const digest = await pushOneLayerImage(client, repository, contentHash, content);
    return { schemaVersion: 1, project: 'api', image, repository, contentHash, tags: [contentHash], digest, ref: `${repository}@${digest}`, status: 'built', pushed: true, platform: 'linux/amd64', baseImages: {} };
  }

  it('tags every image of the release by digest; a rerun finds them in place', async () => {
    const api = await pushed('api', 'api one');
    const debug = await pushed('api-debug', 'api debug one');
    const results = await tagReleaseImages({ client, manifests: [api, debug], tags: ['1.0.0', 'v1.0.0'] });
    expect(results.map((result) => result.tags)).toEqual([{ '1.0.0': 'created', 'v1.0.0': 'created' }, { '1.0.0': 'created', 'v1.0.0': 'created' }]);
    for (const image of [api, debug]) for (const tag of ['1.0.0', 'v1.0.0']) expect(await hasTag(client, image.repository, tag)).toBe(image.digest);
    const again = await tagReleaseImages({ client, manifests: [api, debug], tags: ['1.0.0', 'v1.0.0'] });
    expect(again.map((result) => result.tags)).toEqual([{ '1.0.0': 'unchanged', 'v1.0.0': 'unchanged' }, { '1.0.0': 'unchanged', 'v1.0.0': 'unchanged' }]);
  });

  it('a tag written only if absent (how a release creates one) refuses one that names another digest by then, and reads its own back', async () => {
    const mine = await pushed('jobs', 'jobs mine');
    const theirs = await pushed('jobs', 'jobs theirs');
    const onlyIfAbsent = { why: 'Another release wrote this version at the same moment.' };
    // Another release wrote 3.0.0 after this one looked: refused, and the tag is left as the other wrote it.
    await retag(client, theirs.repository, theirs.digest!, '3.0.0');
    await expect(retag(client, mine.repository, mine.digest!, '3.0.0', { onlyIfAbsent })).rejects.toThrow(
      `Refusing to clobber existing tag ${mine.repository}:3.0.0: it points at ${theirs.digest}, not ${mine.digest}. Another release wrote this version at the same moment.`,
    );
    expect(await hasTag(client, mine.repository, '3.0.0')).toBe(theirs.digest);
    expect(await retag(client, mine.repository, mine.digest!, '3.1.0', { onlyIfAbsent })).toBe('moved');
    expect(await hasTag(client, mine.repository, '3.1.0')).toBe(mine.digest);
    expect(await retag(client, mine.repository, mine.digest!, '3.1.0', { onlyIfAbsent })).toBe('unchanged');
  });

  it('refuses a version that names another image before writing any tag; a dry run says so; --force moves it', async () => {
    const first = await pushed('web', 'web one');
    await tagReleaseImages({ client, manifests: [first], tags: ['2.0.0'] });
    const second = await pushed('web', 'web two');
    const other = await pushed('web-debug', 'web debug two');

    const refused = tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'] });
    await expect(refused).rejects.toThrow(TagConflictError);
    await expect(tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'] })).rejects.toThrow(
      `Refusing to clobber existing tag ${second.repository}:2.0.0: it points at ${first.digest}, not ${second.digest}. A release version names one image`,
    );
    // Nothing written: not the conflicting tag, not the other image's (which had none).
    expect(await hasTag(client, second.repository, '2.0.0')).toBe(first.digest);
    expect(await hasTag(client, other.repository, '2.0.0')).toBeUndefined();

    const plan = await tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'], dryRun: true });
    expect(plan.map((result) => result.tags['2.0.0'])).toEqual(['created', 'conflict']);
    expect(await hasTag(client, other.repository, '2.0.0')).toBeUndefined();

    const forced = await tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'], force: true });
    expect(forced.map((result) => result.tags['2.0.0'])).toEqual(['created', 'moved']);
    expect(await hasTag(client, second.repository, '2.0.0')).toBe(second.digest);
    expect(await hasTag(client, other.repository, '2.0.0')).toBe(other.digest);
  });
  it('alias tags move with their line\'s newest release: a patch of an older minor moves only that minor, a pre-release none', async () => {
    const [one, two, patch, candidate] = await Promise.all(['cli 1.3.0', 'cli 1.4.0', 'cli 1.3.1', 'cli 1.5.0-rc.1'].map((content) => pushed('cli', content)));
    const aliases = (version: string) => ({ version, templates: ['{major}.{minor}', '{major}', 'latest'], versionTemplates: ['v{version}'] });
    const release = async (manifest: ImageManifest, version: string, dryRun = false) =>
      (await tagReleaseImages({ client, manifests: [manifest], tags: [`v${version}`], aliases: aliases(version), dryRun }))[0];
    const at = async (tag: string) => hasTag(client, one.repository, tag);

    expect((await release(one, '1.3.0')).tags).toEqual({ 'v1.3.0': 'created', '1.3': 'created', '1': 'created', latest: 'created' });
    expect((await release(two, '1.4.0')).tags).toEqual({ 'v1.4.0': 'created', '1.4': 'created', '1': 'moved', latest: 'moved' });
    // A dry run says what would move and writes nothing.
    expect((await release(patch, '1.3.1', true)).tags).toEqual({ 'v1.3.1': 'created', '1.3': 'moved', '1': 'kept', latest: 'kept' });
    expect(await at('1.3')).toBe(one.digest);
    const patched = await release(patch, '1.3.1');
    expect(patched.tags).toEqual({ 'v1.3.1': 'created', '1.3': 'moved', '1': 'kept', latest: 'kept' });
    expect(patched.aliases).toEqual(['1.3', '1', 'latest']);
    expect([await at('1.3'), await at('1.4'), await at('1'), await at('latest')]).toEqual([patch.digest, two.digest, two.digest, two.digest]);
    // A pre-release gets its version tag only.
    expect((await release(candidate, '1.5.0-rc.1')).tags).toEqual({ 'v1.5.0-rc.1': 'created' });
    expect(await at('latest')).toBe(two.digest);
    // Released again (a rerun of 1.4.0): nothing moves.
    expect((await release(two, '1.4.0')).tags).toEqual({ 'v1.4.0': 'unchanged', '1.4': 'unchanged', '1': 'unchanged', latest: 'unchanged' });
  });
});
