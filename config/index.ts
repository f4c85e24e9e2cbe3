export type * from './types.js';
export {
  validateNodeConfig,
  pathKey,
  type ConfigError,
  type ValidateNodeConfigOptions,
  type ValidateNodeConfigResult,
} from './validate.js';
export { loadConfigFile, resolveNodePaths, USAGE, type LoadConfigFileResult, type NodePaths } from './load.js';
export * from './permissions/index.js';
