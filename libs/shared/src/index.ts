export * from './service';
export * from './text';
