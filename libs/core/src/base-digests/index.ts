// What the image executor's Nx hasher needs (`@hashdock/core/base-digests`): an external base's digest now,
// over node:http, so Nx's own process loads only the registry client, not the rest of the library.
export { baseDigestLines } from '../image/base-digests';
export { baseDigestArgs, type BaseDigestSpec } from '../image/base-digest-spec';
export { cacheDirFor } from '../hash/cache-dir';
export { findWorkspaceRoot } from '../workspace/find-workspace-root';
