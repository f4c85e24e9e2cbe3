import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageType } from '../../../router/wamp/messages.js';
import { parseClientMessage } from '../../../router/wamp/parse.js';
import { assertViolation } from './helpers.js';

const TWO_53 = 2 ** 53;

describe('parseClientMessage: valid messages', () => {
  it('HELLO, ABORT, AUTHENTICATE, GOODBYE', () => {
    assert.deepEqual(parseClientMessage([1, 'realm1', { roles: {} }]), { type: MessageType.HELLO, realm: 'realm1', details: { roles: {} } });
    assert.deepEqual(parseClientMessage([3, {}, 'wamp.error.no_such_realm']), { type: MessageType.ABORT, details: {}, reason: 'wamp.error.no_such_realm' });
    assert.deepEqual(parseClientMessage([5, '', {}]), { type: MessageType.AUTHENTICATE, signature: '', extra: {} });
    assert.deepEqual(parseClientMessage([6, { message: 'bye' }, 'wamp.close.close_realm']), { type: MessageType.GOODBYE, details: { message: 'bye' }, reason: 'wamp.close.close_realm' });
  });

  it('ERROR with and without payload', () => {
    assert.deepEqual(parseClientMessage([8, 68, 5, {}, 'com.err']), { type: MessageType.ERROR, requestType: 68, request: 5, details: {}, error: 'com.err' });
    assert.deepEqual(parseClientMessage([8, 68, 5, {}, 'com.err', [1]]), { type: MessageType.ERROR, requestType: 68, request: 5, details: {}, error: 'com.err', args: [1] });
    assert.deepEqual(parseClientMessage([8, 68, 5, {}, 'com.err', [], { a: 1 }]), {
      type: MessageType.ERROR, requestType: 68, request: 5, details: {}, error: 'com.err', args: [], kwargs: { a: 1 },
    });
  });

  it('PUBLISH, CALL, YIELD with 0, 1 or 2 payload elements; optional keys are absent, not undefined', () => {
    const publish = parseClientMessage([16, 1, {}, 'com.topic']);
    assert.deepEqual(publish, { type: MessageType.PUBLISH, request: 1, options: {}, topic: 'com.topic' });
    assert.equal('args' in publish, false);
    assert.equal('kwargs' in publish, false);
    assert.deepEqual(parseClientMessage([16, 1, {}, 'com.topic', [1, 2]]), { type: MessageType.PUBLISH, request: 1, options: {}, topic: 'com.topic', args: [1, 2] });
    assert.deepEqual(parseClientMessage([48, TWO_53, { timeout: 5 }, 'com.proc', [], { k: 'v' }]), {
      type: MessageType.CALL, request: TWO_53, options: { timeout: 5 }, procedure: 'com.proc', args: [], kwargs: { k: 'v' },
    });
    assert.deepEqual(parseClientMessage([70, 3, {}]), { type: MessageType.YIELD, request: 3, options: {} });
    assert.deepEqual(parseClientMessage([70, 3, { progress: true }, ['x'], {}]), { type: MessageType.YIELD, request: 3, options: { progress: true }, args: ['x'], kwargs: {} });
  });

  it('SUBSCRIBE, UNSUBSCRIBE, CANCEL, REGISTER, UNREGISTER', () => {
    assert.deepEqual(parseClientMessage([32, 7, { match: 'prefix' }, 'com.']), { type: MessageType.SUBSCRIBE, request: 7, options: { match: 'prefix' }, topic: 'com.' });
    assert.deepEqual(parseClientMessage([34, 8, 0]), { type: MessageType.UNSUBSCRIBE, request: 8, subscription: 0 });
    assert.deepEqual(parseClientMessage([49, 9, { mode: 'kill' }]), { type: MessageType.CANCEL, request: 9, options: { mode: 'kill' } });
    assert.deepEqual(parseClientMessage([64, 10, {}, 'com.proc']), { type: MessageType.REGISTER, request: 10, options: {}, procedure: 'com.proc' });
    assert.deepEqual(parseClientMessage([66, 11, TWO_53]), { type: MessageType.UNREGISTER, request: 11, registration: TWO_53 });
  });

  it('accepts ids that arrive as bigint up to 2^53 and returns numbers', () => {
    assert.deepEqual(parseClientMessage([34, 1n, 2n ** 53n]), { type: MessageType.UNSUBSCRIBE, request: 1, subscription: TWO_53 });
    assert.deepEqual(parseClientMessage([66, 2n ** 40n, 0n]), { type: MessageType.UNREGISTER, request: 2 ** 40, registration: 0 });
  });

  it('accepts null-prototype dicts and normalizes -0 ids', () => {
    const options = Object.create(null) as Record<string, unknown>;
    assert.deepEqual(parseClientMessage([49, 1, options]), { type: MessageType.CANCEL, request: 1, options });
    assert.ok(Object.is((parseClientMessage([34, 1, -0]) as { subscription: number }).subscription, 0));
  });

  it('accepts URIs of exactly 1024 characters and returns the payload objects as they are', () => {
    const args = [{ deep: [1] }];
    const kwargs = { a: Buffer.from([1]) };
    const parsed = parseClientMessage([48, 1, {}, 'a'.repeat(1024), args, kwargs]) as { args: unknown; kwargs: unknown };
    assert.equal(parsed.args, args);
    assert.equal(parsed.kwargs, kwargs);
  });
});

describe('parseClientMessage: the message itself', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an array (object)', { 0: 1 }, /^message must be an array, got object$/],
    ['not an array (string)', '[1]', /^message must be an array, got "\[1\]"$/],
    ['not an array (null)', null, /^message must be an array, got null$/],
    ['not an array (bytes)', Buffer.from([1]), /^message must be an array, got bytes\(1\)$/],
    ['empty array', [], /^message must not be an empty array$/],
    ['type code as string', ['1', 'realm', {}], /^message type must be an integer, got "1"$/],
    ['type code as float', [1.5, 'realm', {}], /^message type must be an integer, got 1.5$/],
    ['type code as bigint', [1n, 'realm', {}], /^message type must be an integer, got 1n$/],
    ['type code null', [null], /^message type must be an integer, got null$/],
    ['unknown type code 0', [0], /^unknown message type 0$/],
    ['unknown type code 7', [7, {}], /^unknown message type 7$/],
    ['unknown type code 99', [99], /^unknown message type 99$/],
    ['negative type code', [-48, 1, {}, 'x'], /^unknown message type -48$/],
  ];
  for (const [name, raw, pattern] of cases) {
    it(name, () => assertViolation(() => parseClientMessage(raw), pattern));
  }

  const routerOnly: [number, string][] = [
    [2, 'WELCOME'], [4, 'CHALLENGE'], [17, 'PUBLISHED'], [33, 'SUBSCRIBED'], [35, 'UNSUBSCRIBED'], [36, 'EVENT'],
    [50, 'RESULT'], [65, 'REGISTERED'], [67, 'UNREGISTERED'], [68, 'INVOCATION'], [69, 'INTERRUPT'],
  ];
  for (const [code, name] of routerOnly) {
    it(`router-to-client type ${code} (${name})`, () => {
      assertViolation(() => parseClientMessage([code, 1, {}]), new RegExp(`^message type ${code} \\(${name}\\) is sent by routers only$`));
    });
  }
});

/**
 * Per message type: a valid template plus, for each field, the wrong values to put there. Every
 * variation must be rejected with a message naming the message type and the field.
 */
interface Shape {
  name: string;
  valid: unknown[];
  min: number;
  max: number;
  /** index -> [field name in the error, bad values] */
  fields: Record<number, [string, unknown[]]>;
}

const BAD_REQUEST_IDS: unknown[] = [0, -1, TWO_53 + 2, 2n ** 53n + 1n, 0n, -1n, 1.5, NaN, Infinity, '1', 'x', null, undefined, true, [1], {}];
const BAD_IDS: unknown[] = [-1, TWO_53 + 2, 2n ** 53n + 1n, -1n, 0.5, NaN, '0', null, [], {}];
const BAD_DICTS: unknown[] = [null, [], [1], 'x', 1, true, Buffer.from([1]), new Uint8Array(1), new Map(), new Date(0), undefined];
const BAD_URIS: unknown[] = ['', 'a'.repeat(1025), 1, null, {}, [], Buffer.from('com.x'), true];
const BAD_ARGS: unknown[] = [null, 'x', 1, Buffer.from([1]), undefined];

const shapes: Shape[] = [
  { name: 'HELLO', valid: [1, 'realm1', {}], min: 3, max: 3, fields: { 1: ['realm', BAD_URIS], 2: ['details', BAD_DICTS] } },
  { name: 'ABORT', valid: [3, {}, 'wamp.error.x'], min: 3, max: 3, fields: { 1: ['details', BAD_DICTS], 2: ['reason', BAD_URIS] } },
  { name: 'AUTHENTICATE', valid: [5, 'sig', {}], min: 3, max: 3, fields: { 1: ['signature', [1, null, {}, Buffer.from('x')]], 2: ['extra', BAD_DICTS] } },
  { name: 'GOODBYE', valid: [6, {}, 'wamp.close.x'], min: 3, max: 3, fields: { 1: ['details', BAD_DICTS], 2: ['reason', BAD_URIS] } },
  {
    name: 'ERROR', valid: [8, 68, 1, {}, 'com.err', [], {}], min: 5, max: 7,
    fields: { 1: ['request type', [48, 8, '68', 68n, null]], 2: ['request id', BAD_REQUEST_IDS], 3: ['details', BAD_DICTS], 4: ['error', BAD_URIS], 5: ['args', BAD_ARGS], 6: ['kwargs', BAD_DICTS] },
  },
  {
    name: 'PUBLISH', valid: [16, 1, {}, 'com.topic', [], {}], min: 4, max: 6,
    fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['options', BAD_DICTS], 3: ['topic', BAD_URIS], 4: ['args', BAD_ARGS], 5: ['kwargs', BAD_DICTS] },
  },
  { name: 'SUBSCRIBE', valid: [32, 1, {}, 'com.topic'], min: 4, max: 4, fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['options', BAD_DICTS], 3: ['topic', BAD_URIS] } },
  { name: 'UNSUBSCRIBE', valid: [34, 1, 2], min: 3, max: 3, fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['subscription id', BAD_IDS] } },
  {
    name: 'CALL', valid: [48, 1, {}, 'com.proc', [], {}], min: 4, max: 6,
    fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['options', BAD_DICTS], 3: ['procedure', BAD_URIS], 4: ['args', BAD_ARGS], 5: ['kwargs', BAD_DICTS] },
  },
  { name: 'CANCEL', valid: [49, 1, {}], min: 3, max: 3, fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['options', BAD_DICTS] } },
  { name: 'REGISTER', valid: [64, 1, {}, 'com.proc'], min: 4, max: 4, fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['options', BAD_DICTS], 3: ['procedure', BAD_URIS] } },
  { name: 'UNREGISTER', valid: [66, 1, 2], min: 3, max: 3, fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['registration id', BAD_IDS] } },
  {
    name: 'YIELD', valid: [70, 1, {}, [], {}], min: 3, max: 5,
    fields: { 1: ['request id', BAD_REQUEST_IDS], 2: ['options', BAD_DICTS], 3: ['args', BAD_ARGS], 4: ['kwargs', BAD_DICTS] },
  },
];

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const shape of shapes) {
  describe(`parseClientMessage: ${shape.name}`, () => {
    it('accepts the template and all its valid lengths', () => {
      for (let n = shape.min; n <= shape.max; n++) parseClientMessage(shape.valid.slice(0, n));
    });

    it('rejects a wrong element count', () => {
      const expected = shape.min === shape.max ? `${shape.min}` : `${shape.min} to ${shape.max}`;
      for (const n of [1, shape.min - 1, shape.max + 1, shape.max + 2]) {
        const raw = n <= shape.valid.length ? shape.valid.slice(0, n) : [...shape.valid, ...new Array(n - shape.valid.length).fill({})];
        assertViolation(() => parseClientMessage(raw), new RegExp(`^${shape.name}: expected ${expected} elements, got ${n}$`));
      }
    });

    for (const [index, [field, badValues]] of Object.entries(shape.fields)) {
      it(`rejects a bad ${field}`, () => {
        for (const bad of badValues) {
          const raw = [...shape.valid];
          raw[Number(index)] = bad;
          assert.throws(() => parseClientMessage(raw));
          assertViolation(() => parseClientMessage(raw), new RegExp(`^${shape.name}: ${escapeRegExp(field)} must be `));
        }
      });
    }
  });
}

describe('parseClientMessage: error messages say what was wrong', () => {
  const cases: [unknown[], string][] = [
    [[48, 'x', {}, 'com.proc'], 'CALL: request id must be an integer in [1, 2^53], got "x"'],
    [[48, 0, {}, 'com.proc'], 'CALL: request id must be an integer in [1, 2^53], got 0'],
    [[48, -5, {}, 'com.proc'], 'CALL: request id must be an integer in [1, 2^53], got -5'],
    [[48, TWO_53 + 2, {}, 'com.proc'], 'CALL: request id must be an integer in [1, 2^53], got 9007199254740994'],
    [[48, 2n ** 53n + 1n, {}, 'com.proc'], 'CALL: request id must be an integer in [1, 2^53], got 9007199254740993n'],
    [[48, 1.5, {}, 'com.proc'], 'CALL: request id must be an integer in [1, 2^53], got 1.5'],
    [[34, 1, -1], 'UNSUBSCRIBE: subscription id must be an integer in [0, 2^53], got -1'],
    [[48, 1, [], 'com.proc'], 'CALL: options must be a dictionary, got array(0)'],
    [[48, 1, null, 'com.proc'], 'CALL: options must be a dictionary, got null'],
    [[48, 1, Buffer.from([1, 2]), 'com.proc'], 'CALL: options must be a dictionary, got bytes(2)'],
    [[48, 1, new Map(), 'com.proc'], 'CALL: options must be a dictionary, got object(Map)'],
    [[48, 1, {}, 42], 'CALL: procedure must be a non-empty string of at most 1024 characters, got 42'],
    [[48, 1, {}, ''], 'CALL: procedure must be a non-empty string of at most 1024 characters, got ""'],
    [[48, 1, {}, 'c'.repeat(1025)], `CALL: procedure must be a non-empty string of at most 1024 characters, got "${'c'.repeat(40)}..."`],
    [[48, 1, {}, 'com.proc', { a: 1 }], 'CALL: args must be an array (kwargs need an args list before them, [] if empty), got object'],
    [[16, 1, {}, 'com.topic', null, { a: 1 }], 'PUBLISH: args must be an array, got null'],
    [[70, 1, {}, { a: 1 }], 'YIELD: args must be an array (kwargs need an args list before them, [] if empty), got object'],
    [[70, 1, {}, [], []], 'YIELD: kwargs must be a dictionary, got array(0)'],
    [[8, 48, 1, {}, 'com.err'], 'ERROR: request type must be 68 (INVOCATION), got 48'],
    [[1, 'realm1'], 'HELLO: expected 3 elements, got 2'],
    [[48, 1, {}, 'a', [], {}, {}], 'CALL: expected 4 to 6 elements, got 7'],
    [[5, 123, {}], 'AUTHENTICATE: signature must be a string, got 123'],
  ];
  for (const [raw, message] of cases) {
    it(message, () => assertViolation(() => parseClientMessage(raw), new RegExp(`^${escapeRegExp(message)}$`)));
  }
});
