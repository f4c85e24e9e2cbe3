/**
 * The layer rules of docs/architecture.md, checked by `npm run lint` (dependency-cruiser):
 *
 *   schema/                     depends on nothing else in the project
 *   config/                     on schema/
 *   process/                    on schema/, config/
 *   contracts/                  on schema/, process/
 *   router/, worker/, plugins/  on the layers above and contracts/, never on one another
 *   test/, bench/               on anything
 *
 * No import cycles anywhere. An import that crosses into another top-level folder names that folder's public
 * API: an `index.ts`.
 */
const LAYERS = ['schema', 'config', 'process', 'contracts', 'router', 'worker', 'plugins'];
const layer = (name) => `^${name}/`;
const notIn = (...names) => `^(${LAYERS.filter((l) => !names.includes(l)).join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'An import cycle: modules that cannot be understood, tested or loaded one without the other.', from: {}, to: { circular: true } },
    { name: 'schema-depends-on-nothing', severity: 'error', from: { path: layer('schema') }, to: { path: notIn('schema') } },
    { name: 'config-depends-on-schema', severity: 'error', from: { path: layer('config') }, to: { path: notIn('schema', 'config') } },
    { name: 'process-depends-on-schema-config', severity: 'error', from: { path: layer('process') }, to: { path: notIn('schema', 'config', 'process') } },
    { name: 'contracts-depend-on-schema-process', severity: 'error', from: { path: layer('contracts') }, to: { path: notIn('schema', 'process', 'contracts') } },
    { name: 'router-worker-plugins-apart', severity: 'error', comment: 'router/, worker/ and plugins/ never import one another: what they share lives in a layer below them.', from: { path: '^(router|worker|plugins)/' }, to: { path: '^(router|worker|plugins)/', pathNot: '^$1/' } },
    {
      name: 'through-index',
      severity: 'error',
      comment: "An import into another top-level folder names that folder's public API (an index.ts), not its internals.",
      from: { path: `^(${LAYERS.join('|')})/` },
      to: { path: `^(${LAYERS.join('|')})/`, pathNot: ['^$1/', '/index\\.ts$', '^contracts/build/'] },
    },
    { name: 'no-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^node_modules/', '^bench/\\.peers/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
