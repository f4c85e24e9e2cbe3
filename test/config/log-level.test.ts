/** `log_level` of the controller and of every worker type (docs/configuration.md#options-of-every-worker). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateNodeConfig, type ConfigError, type NodeConfig } from '../../config/index.js';

type Json = Record<string, unknown>;

const CBDIR = '/srv/node';
const MM_EXTRA = {
  database: { path: '.xbrmm' },
  blockchain: { type: 'ethereum', gateway: { type: 'user', http: 'http://127.0.0.1:8545' }, deployment: '.xbr-edge/devchain.json' },
};
const EXPECTED = 'expected one of "debug", "info", "warn", "error"';

function validate(raw: unknown): { config: NodeConfig } | { errors: ConfigError[] } {
  return validateNodeConfig(raw, { cbdir: CBDIR });
}

function ok(raw: unknown): NodeConfig {
  const r = validate(raw);
  if ('errors' in r) assert.fail(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.config;
}

function only(raw: unknown): ConfigError {
  const r = validate(raw);
  if (!('errors' in r)) assert.fail('expected errors, got a valid config');
  assert.equal(r.errors.length, 1, r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.errors[0]!;
}

/** One worker of each type with `options` added to its own. */
function workers(options: Json): Json[] {
  return [
    { type: 'router', options },
    { type: 'xbrmm', options: { extra: MM_EXTRA, ...options }, makers: [] },
    { type: 'guest', executable: 'true', options },
  ];
}

describe('config: log_level', () => {
  it('is absent unless set, for the controller and every worker type', () => {
    const c = ok({ version: 2, workers: workers({}) });
    assert.equal('log_level' in c.controller.options, false);
    for (const w of c.workers) assert.equal('log_level' in w.options, false, w.type);
  });

  it('takes each of debug, info, warn and error', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      const c = ok({ version: 2, controller: { options: { log_level: level } }, workers: workers({ log_level: level }) });
      assert.equal(c.controller.options.log_level, level);
      for (const w of c.workers) assert.equal(w.options.log_level, level, w.type);
    }
  });

  it('refuses another value of the controller with its path', () => {
    const e = only({ version: 2, controller: { options: { log_level: 'verbose' } } });
    assert.equal(e.path, '$.controller.options.log_level');
    assert.equal(e.message, `${EXPECTED}, got "verbose"`);
  });

  it('refuses another value of a worker with its path, whatever the worker type', () => {
    for (const [i, w] of workers({ log_level: 'INFO' }).entries()) {
      const e = only({ version: 2, workers: [w] });
      assert.equal(e.path, '$.workers[0].options.log_level', String(i));
      assert.equal(e.message, `${EXPECTED}, got "INFO"`);
    }
    const e = only({ version: 2, workers: [{ type: 'router', options: { log_level: 2 } }] });
    assert.equal(e.message, `${EXPECTED}, got 2`);
  });
});
