export interface InitGeneratorSchema {
  registry?: string;
  namespace?: string;
  context?: string;
  targetName?: string;
  skipFormat?: boolean;
}
