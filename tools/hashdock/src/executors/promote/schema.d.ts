export interface PromoteExecutorSchema {
  from: string;
  to: string;
  projects?: string[];
  force?: boolean;
  dryRun?: boolean;
  environments?: string;
  concurrency?: number;
}
