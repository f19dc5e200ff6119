import { createStatusServer, parseChecks } from './status';

const port = Number(process.env.PORT ?? 3000);
const server = createStatusServer(parseChecks(process.env.CHECKS));
server.listen(port, '0.0.0.0', () => console.log(`listening on :${port}`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
