/** The worker DB's schema history (see `migrations.ts`): none yet, version 1 is the only one. */
import type { Migration } from './migrations.js';

export const WORKER_MIGRATIONS: readonly Migration[] = [];
