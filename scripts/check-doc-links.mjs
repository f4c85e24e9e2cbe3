// `npm run lint` part: the documentation's links and the code's citations of it resolve.
// - Every relative markdown link `](path)`, `](path#anchor)` and `](#anchor)` in README.md and docs/*.md: the file
//   must exist, and an anchor must be a GitHub heading slug or an <a id|name="..."> of the target file.
// - Every citation `docs/<file>.md#<anchor>` in the sources, tests and docs (comments cite the protocol this way):
//   the same rules.
//   node scripts/check-doc-links.mjs [root]     exit 1 when something is broken
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';

const root = process.argv[2] ?? '.';
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

const stripFences = (text) => text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (m) => m.replace(/[^\n]/g, ' '));
function slug(heading, seen) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links → their text
    .replace(/<[^>]+>/g, '')                   // inline HTML
    .trim().toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')        // GitHub drops punctuation (backticks, dots, slashes, parentheses, …)
    .replace(/ /g, '-');
  const n = seen.get(text) ?? 0;
  seen.set(text, n + 1);
  return n === 0 ? text : `${text}-${n}`;
}
const anchorCache = new Map();
function anchors(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const text = stripFences(readFileSync(file, 'utf8'));
  const set = new Set(); const seen = new Map();
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) set.add(slug(m[1], seen));
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) set.add(m[1]);
  anchorCache.set(file, set);
  return set;
}

let links = 0; const broken = [];
for (const file of files) {
  const full = join(root, file);
  const lines = stripFences(readFileSync(full, 'utf8')).split('\n');
  lines.forEach((rawLine, i) => {
    const line = rawLine.replace(/`[^`]*`/g, (m) => (m.includes('](') ? ' '.repeat(m.length) : m));
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      links++;
      const [path, anchor] = target.split('#', 2);
      const dest = path === '' ? full : resolve(dirname(full), path);
      const where = `${file}:${i + 1}: ${target}`;
      if (!existsSync(dest)) { broken.push(`${where} (no such file)`); continue; }
      if (anchor !== undefined) {
        if (statSync(dest).isDirectory()) { broken.push(`${where} (anchor into a directory)`); continue; }
        if (!anchors(dest).has(anchor)) broken.push(`${where} (no anchor #${anchor} in ${relative(root, dest)})`);
      }
    }
  });
}
let citations = 0;
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter((f) => /\.(ts|mts|mjs|cjs|sol|md)$/.test(f));
for (const file of tracked) {
  const full = join(root, file);
  if (!existsSync(full)) continue;
  readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/(?<![\w/.-])docs\/([\w.-]+\.md)(?:#([\w-]+))?/g)) {
      citations++;
      const dest = join(root, 'docs', m[1]);
      const where = `${file}:${i + 1}: ${m[0]}`;
      if (!existsSync(dest)) broken.push(`${where} (no such file)`);
      else if (m[2] !== undefined && !anchors(dest).has(m[2])) broken.push(`${where} (no anchor #${m[2]} in docs/${m[1]})`);
    }
  });
}
console.log(`checked ${links} relative links in ${files.length} files and ${citations} citations of docs/ in ${tracked.length} files`);
for (const b of broken) console.log(`BROKEN ${b}`);
console.log(broken.length === 0 ? 'no broken links' : `${broken.length} broken link(s)`);
process.exit(broken.length === 0 ? 0 : 1);
