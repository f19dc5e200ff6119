import { createService, listen } from '@hashdock/shared';
import { createRoutes } from './routes';
import { WordIndex } from './word-index';

listen(createService({ name: 'indexer', version: '1.0.0', routes: createRoutes(new WordIndex()) }));
