/** XBRMaintained (docs/protocol.md#xbr-maintained, with defect docs/protocol.md#chain-defect-8 fixed: maintainers can be added and removed). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BaseContract, Signer, TransactionReceipt } from 'ethers';
import { xbrMaintainedAbi, xbrMaintainedBytecode } from '../../contracts/build/index.js';
import { deployContract, startDevchain, type Devchain } from '../../contracts/devchain.js';
import { expectRevert, send } from './helpers.js';

describe('XBRMaintained', () => {
  let chain: Devchain;
  let contract: BaseContract;
  let a: string[];

  const signer = (i: number): Signer => {
    const s = chain.signers[i];
    assert.ok(s !== undefined);
    return s;
  };
  const fn = (name: string, from = 0) => contract.connect(signer(from)).getFunction(name);
  const events = (receipt: TransactionReceipt) =>
    receipt.logs.map((log) => {
      const parsed = contract.interface.parseLog(log);
      assert.ok(parsed !== null);
      return [parsed.name, ...parsed.args] as unknown[];
    });

  before(async () => {
    chain = await startDevchain();
    a = chain.wallets.map((w) => w.address);
    contract = await deployContract(signer(0), xbrMaintainedAbi, xbrMaintainedBytecode);
  });

  after(async () => {
    await chain?.stop();
  });

  it('the deployer is the only maintainer, announced by MaintainerAdded', async () => {
    assert.equal(await fn('isMaintainer')(a[0]), true);
    assert.equal(await fn('isMaintainer')(a[1]), false);
    assert.equal(await fn('maintainerCount')(), 1n);
    const receipt = await contract.deploymentTransaction()?.wait();
    assert.ok(receipt);
    assert.deepEqual(events(receipt), [['MaintainerAdded', a[0]]]);
  });

  it('a maintainer adds maintainers; others cannot', async () => {
    await expectRevert(fn('addMaintainer', 1)(a[1]), 'NOT_MAINTAINER');
    const r = await send(fn('addMaintainer')(a[1]));
    assert.deepEqual(events(r), [['MaintainerAdded', a[1]]]);
    assert.equal(await fn('isMaintainer')(a[1]), true);
    assert.equal(await fn('maintainerCount')(), 2n);
    await expectRevert(fn('addMaintainer', 1)(a[0]), 'ALREADY_MAINTAINER');
    await expectRevert(fn('addMaintainer')('0x0000000000000000000000000000000000000000'), 'INVALID_MAINTAINER');
    await send(fn('addMaintainer', 1)(a[2]));
    assert.equal(await fn('maintainerCount')(), 3n);
  });

  it('a maintainer removes maintainers, never the last one', async () => {
    await expectRevert(fn('removeMaintainer', 3)(a[1]), 'NOT_MAINTAINER');
    await expectRevert(fn('removeMaintainer')(a[3]), 'NO_SUCH_MAINTAINER');
    const r = await send(fn('removeMaintainer', 2)(a[0]));
    assert.deepEqual(events(r), [['MaintainerRemoved', a[0]]]);
    assert.equal(await fn('isMaintainer')(a[0]), false);
    await expectRevert(fn('addMaintainer', 0)(a[0]), 'NOT_MAINTAINER');
    const r2 = await send(fn('renounceMaintainer', 2)());
    assert.deepEqual(events(r2), [['MaintainerRemoved', a[2]]]);
    assert.equal(await fn('maintainerCount')(), 1n);
    await expectRevert(fn('renounceMaintainer', 1)(), 'LAST_MAINTAINER');
    await expectRevert(fn('removeMaintainer', 1)(a[1]), 'LAST_MAINTAINER');
    await expectRevert(fn('renounceMaintainer', 2)(), 'NOT_MAINTAINER');
    assert.equal(await fn('isMaintainer')(a[1]), true);
  });
});
