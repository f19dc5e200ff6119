export interface ReleaseGeneratorSchema {
  directory?: string;
  project?: string;
  environments?: string;
  nxRelease?: boolean;
}
