import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeCaller, PROCEDURE_ACCESS, type CallerDetails, type ProcedureAccess } from '../../../../worker/market/api/index.js';
import { MarketMakerAdminProcedure, MarketMakerCatalogProcedure, MarketMakerProcedure } from '../../../../schema/uris.js';
const member: CallerDetails = { caller: 11, caller_authid: 'member-0x' + 'ab'.repeat(20), caller_authrole: 'user' };
const callers: Record<string, CallerDetails> = {
  router: {},
  anonymous: { caller: 12, caller_authid: 'anonymous-ABCD', caller_authrole: 'anonymous' },
  member,
  'member role, foreign authid': { caller: 13, caller_authid: 'seller_1', caller_authrole: 'user' },
  'member authid, other role': { caller: 14, caller_authid: member.caller_authid!, caller_authrole: 'anonymous' },
  operator: { caller: 15, caller_authid: 'anonymous-OPER', caller_authrole: 'operator' },
  marketmaker: { caller: 16, caller_authid: 'anonymous-MAKR', caller_authrole: 'marketmaker' },
};
const allowed: Record<ProcedureAccess, string[]> = {
  public: Object.keys(callers),
  member: ['member'],
  operator: ['operator'],
  router: ['router'],
};

test('every procedure of the maker has an access rule, and each rule admits exactly its callers', () => {
  const uris = [...Object.values(MarketMakerProcedure), ...Object.values(MarketMakerCatalogProcedure), ...Object.values(MarketMakerAdminProcedure)];
  assert.deepEqual(uris.filter((u) => PROCEDURE_ACCESS[u] === undefined), []);
  for (const uri of uris) {
    const access = PROCEDURE_ACCESS[uri]!;
    for (const [name, details] of Object.entries(callers)) {
      const ok = allowed[access].includes(name);
      if (ok) assert.doesNotThrow(() => authorizeCaller(uri, details), `${name} may call ${uri}`);
      else assert.throws(() => authorizeCaller(uri, details), { uri: 'wamp.error.not_authorized' }, `${name} may not call ${uri}`);
    }
  }
  assert.throws(() => authorizeCaller('xbr.marketmaker.no_such', member), { uri: 'wamp.error.not_authorized', message: /no access rule/ });
});

test('the authenticator is the router\'s, the IPFS procedures the operators\'', () => {
  assert.equal(PROCEDURE_ACCESS[MarketMakerProcedure.authenticate], 'router');
  assert.equal(PROCEDURE_ACCESS[MarketMakerProcedure.logout], 'member');
  assert.equal(PROCEDURE_ACCESS[MarketMakerCatalogProcedure.getIpfsStatus], 'operator');
  for (const uri of Object.values(MarketMakerAdminProcedure)) assert.equal(PROCEDURE_ACCESS[uri], 'operator', uri);
  assert.equal(PROCEDURE_ACCESS[MarketMakerProcedure.buyKey], 'member');
  assert.throws(() => authorizeCaller(MarketMakerProcedure.placeOffer, callers['anonymous']!), { message: /log in with WAMP-cryptosign/ });
});
