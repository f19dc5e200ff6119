// What inference read on disk to follow COPY sources' symlinks, and whether the disk still reads the same
// (`@hashdock/core/source-reads`): node:fs only, so a plugin worker whose inferred targets are cached checks
// them without loading the rest of the library.
export * from './source-reads';
