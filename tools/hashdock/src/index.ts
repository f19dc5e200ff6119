export { createNodes, createNodesV2, createDependencies, postTasksExecution } from './plugins/plugin';
export type { HashdockOptions } from '@hashdock/core';
