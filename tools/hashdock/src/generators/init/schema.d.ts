export interface InitGeneratorSchema {
  registry?: string;
  namespace?: string;
  context?: string;
  targetName?: string;
  skipTurbo?: boolean;
  skipFormat?: boolean;
}
