import { runSubgraph } from '@flow/subgraph-kit';
import { startReviewsApp } from './app';
import { loadReviewsConfig } from './env';

runSubgraph('reviews', loadReviewsConfig, startReviewsApp);
