// What the Nx plugin's postTasksExecution hook needs (`@hashdock/core/report`): the run report alone,
// without the option parsing and inference code `@hashdock/core/workspace` loads (the hook runs after
// every Nx run with image tasks, a nothing-changed run included).
export { writeRunReport } from './image-report';
