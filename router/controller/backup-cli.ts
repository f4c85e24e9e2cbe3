/**
 * The `backup` and `restore` node commands (node-cli.ts dispatches to them):
 *
 *   xbr-edge backup  --to DIR   [--cbdir D] [--config P]   copy the node's DBs, journals, keys and config (running or not)
 *   xbr-edge restore --from DIR [--cbdir D] [--config P]   put a backup back in place (the node must be stopped)
 *
 * Exit codes: 0 done, 1 failed (nothing or, for a backup, no partial directory left), 2 bad command line.
 */
import { resolve } from 'node:path';
import { XbrErrorUri, isError } from '../../schema/index.js';
import { resolveNodePaths } from '../../config/index.js';
import { backupNode } from './backup.js';
import type { BackupFile } from './backup-manifest.js';
import { liveNodeLock } from './node-lock.js';
import { restoreNode } from './restore.js';
import { loadNode } from './run.js';

const BACKUP_USAGE = `Usage:
  xbr-edge backup  --to DIR   [--cbdir DIR] [--config PATH]   copy the node's databases, journals, keys and config
                                                               into DIR (new or empty), while it runs or not
  xbr-edge restore --from DIR [--cbdir DIR] [--config PATH]   put the backup in DIR back where the config names the
                                                               files (the node must be stopped); the files replaced
                                                               are kept as <name>.before-restore-<time>
Exit codes: 0 done, 1 failed, 2 bad command line.
`;

/** `--name VALUE` / `--name=VALUE` taken out of `argv`; the rest is left for the node flags. */
function takeFlag(argv: readonly string[], name: string): { value?: string; rest: string[]; error?: string } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let v: string | undefined;
    if (arg === `--${name}`) {
      v = argv[++i];
      if (v === undefined || v.startsWith('--')) return { rest, error: `--${name} needs a value` };
    } else if (arg.startsWith(`--${name}=`)) {
      v = arg.slice(name.length + 3);
    } else {
      rest.push(arg);
      continue;
    }
    if (v === '') return { rest, error: `--${name} needs a non-empty value` };
    if (value !== undefined) return { rest, error: `--${name} given twice` };
    value = v;
  }
  return value === undefined ? { rest } : { value, rest };
}

/** The directory flag and the node flags of a backup/restore command line, or its exit code (help, usage error). */
function parse(argv: readonly string[], name: 'to' | 'from'): { dir: string; rest: string[] } | { exit: number } {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(BACKUP_USAGE);
    return { exit: 0 };
  }
  const taken = takeFlag(argv, name);
  const paths = taken.error === undefined ? resolveNodePaths(taken.rest) : undefined;
  const error = taken.error ?? (taken.value === undefined ? `--${name} DIR is required` : paths?.kind === 'error' ? paths.message : undefined);
  if (error !== undefined || taken.value === undefined) {
    process.stderr.write(`error: ${error ?? 'bad command line'}\n\n${BACKUP_USAGE}`);
    return { exit: 2 };
  }
  return { dir: resolve(taken.value), rest: taken.rest };
}

const describeFile = (f: BackupFile): string => {
  const owner = f.maker === undefined ? (f.worker ?? '') : `${f.worker}/${f.maker}`;
  const facts = [
    ...(f.schema_version === undefined ? [] : [`schema ${f.schema_version}`]),
    ...(f.channels === undefined ? [] : [`${f.channels.payment} payment + ${f.channels.paying} paying channels`]),
    ...(f.transactions === undefined ? [] : [`${f.transactions} transactions`]),
  ];
  return `  ${f.role.padEnd(14)} ${owner.padEnd(16)} ${f.path} → ${f.file} (${f.bytes} bytes${facts.length === 0 ? '' : `, ${facts.join(', ')}`})\n`;
};

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** `xbr-edge backup`; resolves with the exit code. */
export async function runBackup(argv: readonly string[]): Promise<number> {
  const args = parse(argv, 'to');
  if ('exit' in args) return args.exit;
  const node = loadNode(args.rest);
  if (node.kind === 'exit') return node.code;
  const running = liveNodeLock(node.paths.cbdir) ?? null;
  try {
    const manifest = await backupNode(node.config, node.paths, args.dir, { running, onFile: (f) => process.stdout.write(describeFile(f)) });
    const how = running === null ? 'the node was not running' : `online, controller pid ${running.pid}`;
    process.stdout.write(`backup of node ${manifest.node} written to ${args.dir}: ${manifest.files.length} files and manifest.json (${how})\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: backup failed, nothing was kept in ${args.dir}: ${message(err)}\n`);
    return 1;
  }
}

/** `xbr-edge restore`; resolves with the exit code. */
export async function runRestore(argv: readonly string[]): Promise<number> {
  const args = parse(argv, 'from');
  if ('exit' in args) return args.exit;
  const node = loadNode(args.rest);
  if (node.kind === 'exit') return node.code;
  try {
    const { manifest, restored, notInBackup } = restoreNode(node.config, node.paths, args.dir);
    for (const r of restored) process.stdout.write(`  ${r.role.padEnd(14)} ${r.path}${r.movedAside === undefined ? '' : ` (the previous one is now ${r.movedAside})`}\n`);
    for (const m of notInBackup) process.stdout.write(`  maker ${m} is not in the backup: its files were left as they are\n`);
    process.stdout.write(
      `restored the backup of node ${manifest.node} taken ${manifest.created} into ${node.paths.cbdir}.\n` +
        'The makers\' ledgers are now as they were then: every purchase since is gone from them, while buyers and sellers\n' +
        'still hold the states the makers signed for those purchases. See docs/operations.md "Backups" before you start the node.\n',
    );
    return 0;
  } catch (err) {
    const running = isError(err, XbrErrorUri.nodeRunning);
    process.stderr.write(`error: ${running ? 'a node is running: stop it first. ' : ''}${message(err)}\n`);
    return 1;
  }
}
