import { describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../../../e2e/support/environment';
import { RegistryClient, runCommand } from '../../../core/src/index';
import { NX_CACHE_ARTIFACT_TYPE, RegistryStorage } from './registry-storage';

const environment = await checkEnvironment({ skopeo: true });

describe.skipIf(!environment.available)('cache entries stored as OCI artifacts in the real local registry', () => {
  it('stores, reads back, and refuses to replace an entry', async () => {
    const repository = `localhost:5000/cache-int-${Date.now().toString(36)}/nx-cache`;
    const storage = new RegistryStorage(new RegistryClient(), repository);
    const entry = new Uint8Array(Buffer.from('a tar archive, as far as the cache is concerned'));
    expect(await storage.get('12345')).toBeUndefined();
    expect(await storage.put('12345', entry)).toBe('created');
    expect(Buffer.from((await storage.get('12345'))!).toString()).toBe('a tar archive, as far as the cache is concerned');
    expect(await storage.put('12345', new Uint8Array(Buffer.from('poison')))).toBe('exists');
    expect(Buffer.from((await storage.get('12345'))!).toString()).toBe('a tar archive, as far as the cache is concerned');
    // Any OCI client sees a normal OCI artifact.
    const { stdout } = await runCommand('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${repository}:nx-12345`]);
    expect(JSON.parse(stdout)).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: NX_CACHE_ARTIFACT_TYPE, layers: [{ size: entry.byteLength }] });
  });
});
