export interface ServiceGeneratorSchema {
  name: string;
  directory?: string;
  port?: number;
  baseImage?: string;
}
