export interface PulumiExecutorSchema {
  command: 'preview' | 'up';
  stack?: string;
  cwd?: string;
  backendUrl?: string;
}
