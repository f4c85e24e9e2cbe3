/**
 * tightenOwnerOnly: group/other bits come off secret files (→ at most 0600) and directories (→ at most 0700);
 * it only tightens, never follows a symbolic link (not at the path, not in a tree), ignores missing paths,
 * and reports a failure as a warning instead of throwing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tightenOwnerOnly } from '../../schema/tighten-owner-only.js';
import { memoryLogger } from '../helpers/router.js';

const mode = (path: string): number => statSync(path).mode & 0o7777;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-owner-only-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function looseFile(path: string, m = 0o644): string {
  writeFileSync(path, 'secret');
  chmodSync(path, m);
  return path;
}

function looseDir(path: string, m = 0o755): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, m);
  return path;
}

describe('tightenOwnerOnly', () => {
  it('takes group and other bits off a file (0644 → 0600) and logs {path, from, to}', (t) => {
    const file = looseFile(join(tempDir(t), 'maker1.db'));
    const log = memoryLogger();
    const r = tightenOwnerOnly(file, { log });
    assert.equal(mode(file), 0o600);
    assert.deepEqual(r.changed, [{ path: file, from: '0644', to: '0600' }]);
    assert.deepEqual(log.entries, [{ level: 'info', msg: 'tightened file mode', fields: { path: file, from: '0644', to: '0600' } }]);
  });

  it('makes a directory 0700 (0755 → 0700) and, recursively, everything in it', (t) => {
    const repo = looseDir(join(tempDir(t), 'ipfs-repo'));
    const blocks = looseDir(join(repo, 'blocks'), 0o775);
    const config = looseFile(join(repo, 'config'));
    const block = looseFile(join(blocks, 'CIQ.data'), 0o666);
    const r = tightenOwnerOnly(repo, { recursive: true, log: memoryLogger() });
    assert.deepEqual([mode(repo), mode(blocks), mode(config), mode(block)], [0o700, 0o700, 0o600, 0o600]);
    assert.equal(r.changed.length, 4);
    assert.deepEqual(r.failed, []);
  });

  it('without `recursive` a directory is tightened but not what is in it', (t) => {
    const dir = looseDir(join(tempDir(t), 'd'));
    const inside = looseFile(join(dir, 'f'));
    tightenOwnerOnly(dir, { log: memoryLogger() });
    assert.deepEqual([mode(dir), mode(inside)], [0o700, 0o644]);
  });

  it('only tightens: a 0400 key stays 0400, a 0700 directory is unchanged, and nothing is logged', (t) => {
    const dir = tempDir(t);
    const key = looseFile(join(dir, 'maker1.key'), 0o400);
    const sub = looseDir(join(dir, 'sub'), 0o700);
    const file = looseFile(join(sub, 'x'), 0o200);
    const log = memoryLogger();
    const r = tightenOwnerOnly(dir, { recursive: true, log });
    assert.equal(mode(dir), 0o700, 'mkdtemp makes it 0700');
    assert.deepEqual([mode(key), mode(sub), mode(file)], [0o400, 0o700, 0o200]);
    assert.deepEqual(r.changed, []);
    assert.deepEqual(log.entries, []);
  });

  it('an owner execute bit on a file is taken off too (0755 file → 0600)', (t) => {
    const file = looseFile(join(tempDir(t), 'journal'), 0o755);
    tightenOwnerOnly(file, { log: memoryLogger() });
    assert.equal(mode(file), 0o600);
  });

  it('never follows a symbolic link: neither at the path nor inside a tree; the target keeps its mode', (t) => {
    const dir = tempDir(t);
    const outside = looseDir(join(dir, 'outside'));
    const target = looseFile(join(outside, 'passwd'));
    const node = looseDir(join(dir, 'node'));
    const linkAtPath = join(node, 'maker1.db-lock');
    symlinkSync(target, linkAtPath);
    const linkedDir = join(node, 'linked-dir');
    symlinkSync(outside, linkedDir);
    const log = memoryLogger();
    const direct = tightenOwnerOnly(linkAtPath, { log });
    const tree = tightenOwnerOnly(node, { recursive: true, log });
    assert.equal(mode(target), 0o644, 'the target of a link at a secret name is untouched');
    assert.equal(mode(outside), 0o755, 'a linked directory is not entered nor changed');
    assert.ok(lstatSync(linkAtPath).isSymbolicLink());
    assert.deepEqual(direct.links, [linkAtPath]);
    assert.deepEqual(tree.links.sort(), [linkAtPath, linkedDir].sort());
    assert.equal(mode(node), 0o700);
    assert.ok(log.entries.some((l) => l.msg === 'not tightening a symbolic link' && l.fields['path'] === linkAtPath));
  });

  it('ignores a path that does not exist yet', (t) => {
    const log = memoryLogger();
    const r = tightenOwnerOnly(join(tempDir(t), 'not-yet', 'maker1.db'), { recursive: true, log });
    assert.deepEqual(r, { changed: [], links: [], failed: [] });
    assert.deepEqual(log.entries, []);
  });

  it('a path it cannot open is a warning with the path and a WampError, not a throw', (t) => {
    // ENOTDIR: a "directory" on the way that is a file. (Root ignores permission bits, so EACCES cannot be staged.)
    const file = looseFile(join(tempDir(t), 'plain'));
    const log = memoryLogger();
    const r = tightenOwnerOnly(join(file, 'below'), { log });
    assert.equal(r.failed.length, 1);
    assert.equal(r.failed[0]?.error.uri, 'wamp.error.runtime_error');
    const warning = log.entries.find((l) => l.level === 'warn');
    assert.equal(warning?.fields['path'], join(file, 'below'));
    assert.ok(warning?.fields['error'] instanceof Error);
  });
});
