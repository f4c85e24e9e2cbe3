export type * from './types.js';
export { validateNodeConfig, type ConfigError } from './validate.js';
export { loadConfigFile, resolveNodePaths } from './load.js';
export * from './permissions/index.js';
