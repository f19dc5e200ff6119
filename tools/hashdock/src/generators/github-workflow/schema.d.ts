export interface GithubWorkflowGeneratorSchema {
  name?: string;
  registry?: string;
  namespace?: string;
  branch?: string;
  nodeVersion?: string;
}
