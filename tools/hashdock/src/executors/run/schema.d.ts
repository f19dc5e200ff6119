export interface RunExecutorSchema {
  image?: string;
  ports?: string[];
  env?: string[];
  args?: string[];
  command?: string[];
  manifestDir?: string;
}
