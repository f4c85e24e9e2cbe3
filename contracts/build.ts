/**
 * Compiles every `contracts/src/*.sol` with the installed solc-js (pinned 0.8.37, no download, no
 * network) and writes one TypeScript module per deployable contract to `contracts/build/`:
 * `export const <name>Abi = [...] as const; export const <name>Bytecode: `0x${string}` = '0x…';`
 * plus `contracts/build/index.ts`. The output is deterministic (sorted sources and keys, no
 * timestamps, metadata without a content hash), so `test/contracts/build.test.ts` can recompile in
 * memory and require the committed files to be byte-identical.
 *
 * Run: `npm run build:contracts` (= `node --import tsx contracts/build.ts`).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import solc from 'solc';

/** The only compiler version the build accepts. */
export const SOLC_VERSION_PREFIX = '0.8.37';
/** EVM target: EDR (hardhat 2.29) runs cancun; solc 0.8.37 defaults to osaka, so it is always set. */
export const EVM_VERSION = 'cancun';

const CONTRACTS_DIR = dirname(fileURLToPath(import.meta.url));
/** Where the sources are read from. */
export const SOURCE_DIR = join(CONTRACTS_DIR, 'src');
/** Where the artifacts are written to. */
export const BUILD_DIR = join(CONTRACTS_DIR, 'build');

/** A compiled contract as written to `contracts/build/<name>.ts`. */
export interface CompiledContract {
  /** Contract name, e.g. `XBRToken`. */
  readonly name: string;
  /** Source unit name, e.g. `contracts/src/XBRToken.sol`. */
  readonly source: string;
  readonly abi: readonly unknown[];
  /** Creation bytecode, `0x`-prefixed. */
  readonly bytecode: `0x${string}`;
}

/** Result of {@link compileContracts}. */
export interface BuildOutput {
  /** Full solc version string, e.g. `0.8.37+commit.….Emscripten.clang`. */
  readonly solcVersion: string;
  readonly contracts: readonly CompiledContract[];
  /** Formatted compiler warnings (the build does not fail on them). */
  readonly warnings: readonly string[];
  /** File name (relative to {@link BUILD_DIR}) → exact file content. */
  readonly files: ReadonlyMap<string, string>;
}

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}
interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

/** Thrown when solc reports errors; the message holds every formatted compiler error. */
export class ContractBuildError extends Error {
  override readonly name = 'ContractBuildError';
}

/** The standard-JSON input for the given sources (source unit name → content). */
export function standardJsonInput(sources: ReadonlyMap<string, string>): object {
  const sorted = [...sources.keys()].sort();
  return {
    language: 'Solidity',
    sources: Object.fromEntries(sorted.map((k) => [k, { content: sources.get(k) }])),
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      metadata: { bytecodeHash: 'none' },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
}

/** Reads `contracts/src/*.sol` as source unit name `contracts/src/<File>.sol` → content. */
export function readSources(dir: string = SOURCE_DIR): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sol')).sort()) {
    out.set(posix.join('contracts', 'src', file), readFileSync(join(dir, file), 'utf8'));
  }
  return out;
}

/** Compiles the sources in memory; throws {@link ContractBuildError} with readable compiler errors. */
export function compileContracts(sources: ReadonlyMap<string, string> = readSources()): BuildOutput {
  const solcVersion = String(solc.version());
  if (!solcVersion.startsWith(SOLC_VERSION_PREFIX)) {
    throw new ContractBuildError(`solc ${solcVersion} is installed; the build requires ${SOLC_VERSION_PREFIX}`);
  }
  if (sources.size === 0) throw new ContractBuildError('no Solidity sources found');
  // Imports are resolved only among the given sources (all of contracts/src); anything else is an error.
  const findImports = (path: string): { error: string } => ({ error: `import not found: ${path} (only contracts/src/*.sol)` });
  const output = JSON.parse(
    String(solc.compile(JSON.stringify(standardJsonInput(sources)), { import: findImports })),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new ContractBuildError(
      `solc ${solcVersion}: ${errors.length} error(s)\n\n${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`,
    );
  }
  const contracts: CompiledContract[] = [];
  for (const source of Object.keys(output.contracts ?? {}).sort()) {
    const units = output.contracts?.[source] ?? {};
    for (const name of Object.keys(units).sort()) {
      const unit = units[name];
      // Interfaces and abstract contracts have no bytecode: nothing to deploy, no artifact.
      if (unit === undefined || unit.evm.bytecode.object === '') continue;
      contracts.push({ name, source, abi: unit.abi, bytecode: `0x${unit.evm.bytecode.object}` });
    }
  }
  const warnings = (output.errors ?? []).filter((e) => e.severity === 'warning').map((e) => e.formattedMessage ?? e.message);
  return { solcVersion, contracts, warnings, files: renderFiles(solcVersion, contracts) };
}

/** `XBRToken` → `xbrToken`, `XBRMaintained` → `xbrMaintained`, `Foo` → `foo`. */
export function lowerCamel(name: string): string {
  const m = /^[A-Z]+(?=[A-Z][a-z0-9]|$)/.exec(name);
  if (m !== null && m[0].length > 1) return m[0].toLowerCase() + name.slice(m[0].length);
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, sortKeys(obj[k])]));
  }
  return value;
}

function header(solcVersion: string, what: string): string {
  return (
    `// Generated by contracts/build.ts (${what}) with solc ${solcVersion}, evmVersion ${EVM_VERSION}, ` +
    'optimizer 200 runs. Do not edit: run `npm run build:contracts`.\n'
  );
}

function renderFiles(solcVersion: string, contracts: readonly CompiledContract[]): Map<string, string> {
  const files = new Map<string, string>();
  const names = new Set<string>();
  for (const c of contracts) {
    if (names.has(c.name)) throw new ContractBuildError(`two contracts named ${c.name}`);
    names.add(c.name);
    const id = lowerCamel(c.name);
    files.set(
      `${c.name}.ts`,
      header(solcVersion, c.source) +
        `export const ${id}Abi = ${JSON.stringify(sortKeys(c.abi), null, 2)} as const;\n\n` +
        `export const ${id}Bytecode: \`0x\${string}\` =\n  '${c.bytecode}';\n`,
    );
  }
  files.set(
    'index.ts',
    header(solcVersion, 'index') +
      `export const solcVersion = '${solcVersion}';\n` +
      `export const evmVersion = '${EVM_VERSION}';\n` +
      contracts.map((c) => `export { ${lowerCamel(c.name)}Abi, ${lowerCamel(c.name)}Bytecode } from './${c.name}.js';\n`).join(''),
  );
  return files;
}

/** Compiles and replaces the contents of `contracts/build/` with the artifacts. */
export function writeBuild(out: BuildOutput = compileContracts(), dir: string = BUILD_DIR): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of out.files) writeFileSync(join(dir, file), content);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const started = performance.now();
    const out = compileContracts();
    writeBuild(out);
    for (const w of out.warnings) console.warn(w);
    const ms = Math.round(performance.now() - started);
    for (const c of out.contracts) console.log(`${c.name} initcode ${(c.bytecode.length - 2) / 2} bytes`);
    console.log(`built ${out.contracts.length} contract(s) with solc ${out.solcVersion} in ${ms} ms → contracts/build/`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
