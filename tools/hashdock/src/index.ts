// The runtime check comes before the plugin's imports load (execa needs Node 22).
import { assertSupportedRuntime } from './runtime-check';

assertSupportedRuntime();

export { createNodes, createNodesV2, postTasksExecution } from './plugins/plugin';
export type { HashdockOptions } from '@hashdock/core';
