import type { NxReleaseVersionData } from '@hashdock/core';

export interface ReleasePublishExecutorSchema {
  version?: string;
  versionTags?: string[];
  force?: boolean;
  dryRun?: boolean;
  manifestDir?: string;
  nxReleaseVersionData?: NxReleaseVersionData;
}
