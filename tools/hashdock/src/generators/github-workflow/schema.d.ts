export interface GithubWorkflowGeneratorSchema {
  name?: string;
  registry?: string;
  branch?: string;
  nodeVersion?: string;
}
