export interface ImageExecutorSchema {
  dockerfile?: string;
  context?: string;
  registry?: string;
  namespace?: string;
  repository?: string;
  tags?: string[];
  extraTags?: string[];
  version?: string;
  buildArgs?: Record<string, string>;
  env?: Record<string, string>;
  platform?: string;
  push?: boolean;
  dryRun?: boolean;
  noCache?: boolean;
  cacheFrom?: string[];
  manifestDir?: string;
}
