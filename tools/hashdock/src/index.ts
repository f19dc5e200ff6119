export { createNodes, createNodesV2, createDependencies } from './plugins/plugin';
export type { HashdockPluginOptions } from './plugins/plugin-options';
