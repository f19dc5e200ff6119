import type { NxReleaseVersionData } from '@hashdock/core';

export interface ReleasePublishExecutorSchema {
  version?: string;
  versionTags?: string[];
  aliasTags?: string[];
  force?: boolean;
  dryRun?: boolean;
  manifestDir?: string;
  nxReleaseVersionData?: NxReleaseVersionData;
}
