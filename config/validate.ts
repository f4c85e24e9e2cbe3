/**
 * Validation of `router-config.json` into the complete model of `types.ts`.
 *
 * Like Crossbar's checkconfig, unknown keys are errors; unlike it, every problem is collected (one
 * error per problem, each with its JSON path, e.g. `$.workers[0].transports[1].endpoint.port`) so an
 * admin fixes a config in one round. Defaults are filled in and relative paths are resolved against
 * the node directory (cbdir), so everything downstream sees complete, absolute objects.
 *
 * @example
 * const result = validateNodeConfig(JSON.parse(text), { cbdir: '/srv/node' });
 * if ('errors' in result) for (const e of result.errors) console.error(`config error at ${e.path}: ${e.message}`);
 */
export type { ConfigError } from './validate/context.js';
export { validateNodeConfig } from './validate/node.js';
