export { startRouter, type RunningRouter } from './core/start.js';
