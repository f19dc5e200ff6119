/** The labels every Hashdock image carries, whichever builder made it. */
export const LABEL_CONTENT_HASH = 'dev.hashdock.content-hash';
export const LABEL_PROJECT = 'dev.hashdock.project';
