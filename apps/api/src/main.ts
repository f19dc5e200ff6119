import { createService, listen } from '@hashdock/shared';
import { routes } from './routes';

listen(createService({ name: 'api', version: '1.0.0', routes }));
