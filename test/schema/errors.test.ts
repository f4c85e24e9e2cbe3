import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WampError, isError, remoteErrorUri, toWampError } from '../../schema/errors.js';
import { WampErrorUri, XbrErrorUri } from '../../schema/error-uris.js';

describe('WampError', () => {
  it('isError matches a WampError by URI only', () => {
    const e = new WampError(XbrErrorUri.nodeRunning, 'in use');
    assert.equal(isError(e, XbrErrorUri.nodeRunning), true);
    assert.equal(isError(e, XbrErrorUri.storage), false);
    assert.equal(isError({ uri: 'xbr.error.node_running' }, XbrErrorUri.nodeRunning), false);
    assert.equal(isError(new Error('xbr.error.node_running'), XbrErrorUri.nodeRunning), false);
    assert.equal(isError(undefined, XbrErrorUri.nodeRunning), false);
  });

  it('carries a peer URI unchanged through remoteErrorUri', () => {
    const e = new WampError(remoteErrorUri('com.example.seller_broken'), 'seller refuses', { args: [1], kwargs: { why: 'test' } });
    assert.equal(e.uri, 'com.example.seller_broken');
    assert.deepEqual([e.message, e.args, e.kwargs], ['seller refuses', [1], { why: 'test' }]);
    // A URI of the catalog that arrives from a peer is still that URI.
    assert.equal(isError(new WampError(remoteErrorUri('xbr.error.storage'), 'x'), XbrErrorUri.storage), true);
  });

  it('toWampError keeps a WampError and wraps anything else under the fallback', () => {
    const e = new WampError(XbrErrorUri.storage, 'disk');
    assert.equal(toWampError(e), e);
    const w = toWampError(new Error('boom'));
    assert.deepEqual([w.uri, w.message], [WampErrorUri.runtimeError, 'boom']);
    assert.equal(toWampError('x', XbrErrorUri.transactionFailed).uri, 'xbr.error.transaction_failed');
  });
});
