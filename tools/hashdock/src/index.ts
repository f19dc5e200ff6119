export { createNodes, createNodesV2, createDependencies } from './plugins/plugin';
export type { HashdockOptions } from '@hashdock/core';
