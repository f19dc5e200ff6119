// What the Nx plugin's postTasksExecution hook needs (`@hashdock/core/report`): the plugin options and
// the run report, without the inference code `@hashdock/core/workspace` loads (the hook runs after
// every Nx run with image tasks, a nothing-changed run included).
export { normalizeHashdockOptions } from '../workspace/hashdock-config';
export { writeRunReport } from './image-report';
