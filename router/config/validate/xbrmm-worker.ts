/** An XBR market maker worker: options (`extra`, title, env) and its makers. */
import type { XbrmmExtra, XbrmmWorkerConfig } from '../types.js';
import { string } from './checks.js';
import { isRec, type Ctx, type Rec } from './context.js';
import { checkBlockchain } from './blockchain.js';
import { checkEnv } from './env.js';

export function checkXbrmmWorker(c: Ctx, w: Rec, path: string, id: string | undefined): XbrmmWorkerConfig | undefined {
  c.object(w, path, ['type', 'id', 'options', 'makers']);
  const optPath = `${path}.options`;
  const optRaw = c.required(w, 'options', path, 'an object with "extra"');
  const opt = optRaw === undefined ? undefined : c.object(optRaw, optPath, ['extra', 'title', 'env']);
  let options: XbrmmWorkerConfig['options'] | undefined;
  if (opt !== undefined) {
    const extraRaw = c.required(opt, 'extra', optPath, 'an object');
    let extra: XbrmmExtra | undefined;
    if (extraRaw !== undefined) {
      if (!isRec(extraRaw)) c.mismatch(`${optPath}.extra`, 'an object', extraRaw);
      else if (extraRaw['blockchain'] === undefined) extra = extraRaw;
      else {
        const blockchain = checkBlockchain(c, extraRaw['blockchain'], `${optPath}.extra.blockchain`);
        if (blockchain !== undefined) extra = { ...extraRaw, blockchain };
      }
    }
    const title = c.field(opt, 'title', optPath, string(), undefined);
    const env = checkEnv(c, opt['env'], `${optPath}.env`);
    if (extra !== undefined && env !== undefined && (opt['title'] === undefined || title !== undefined)) {
      options = { extra, env, ...(title === undefined ? {} : { title }) };
    }
  }
  const makersRaw = c.required(w, 'makers', path, 'an array of maker objects');
  let makers: Rec[] | undefined;
  if (makersRaw !== undefined) {
    const arr = c.array(makersRaw, `${path}.makers`, 'an array of maker objects');
    if (arr !== undefined) {
      makers = [];
      arr.forEach((m, i) => {
        if (isRec(m)) makers?.push(m);
        else {
          c.mismatch(`${path}.makers[${i}]`, 'a maker object', m);
          makers = undefined;
        }
      });
    }
  }
  if (id === undefined || options === undefined || makers === undefined) return undefined;
  return { type: 'xbrmm', id, options, makers };
}
