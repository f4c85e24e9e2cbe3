/**
 * What the fuzzer accepts as the answer to a call. Hostile input must be refused with a specific error —
 * the URI says what was wrong — and never with `wamp.error.runtime_error` (docs/protocol.md#differences: a bad argument is
 * `wamp.error.invalid_argument`, never a runtime error); a reply must come (no hang) and the session must
 * live on (the maker has no business ending it). Authorization comes first (docs/protocol.md#trust-model): a caller who may not
 * call a procedure gets `wamp.error.not_authorized` whatever its arguments — so the arguments of a refused
 * caller reveal nothing — and never a result.
 */
import { CrossbarErrorUri, INTERNAL_FAILURE_URIS, WampErrorUri, XbrErrorUri } from '../../../schema/error-uris.js';
import type { CallOutcome, HelloOutcome } from './clients.js';
import type { CallerKind, FuzzCall } from './generate.js';
import { procedureSpec, type Access } from './procedures.js';

/**
 * Error URIs that name what was wrong: the market's (schema/error-uris.ts) and the WAMP ones it uses, without
 * the catch-alls (`runtime_error`, `invalid_payload`, `no_such_procedure`) and without the internal failures
 * hostile input must never cause (`INTERNAL_FAILURE_URIS`).
 * `no_such_procedure` only where the maker calls a seller ({@link ProcedureSpec.callsSeller}).
 */
const SPECIFIC_ERROR_URIS: ReadonlySet<string> = new Set<string>([
  ...Object.values(XbrErrorUri).filter((u) => !INTERNAL_FAILURE_URIS.has(u)),
  ...Object.values(CrossbarErrorUri),
  WampErrorUri.invalidArgument,
  WampErrorUri.notAuthorized,
]);

/** ABORT reasons of a cryptosign HELLO the authenticator (or the router before it) may give. */
const HELLO_ABORT_URIS: ReadonlySet<string> = new Set([WampErrorUri.notAuthorized, XbrErrorUri.invalidAuthRequest, XbrErrorUri.invalidSignature]);

/** Whether a caller of `kind` may call a procedure of `access` (docs/protocol.md#trust-model). */
export function mayCall(kind: CallerKind, access: Access): boolean {
  switch (access) {
    case 'public': return true;
    case 'member': return kind === 'member';
    case 'operator': return kind === 'operator';
    case 'router': return kind === 'router';
  }
}

/** Why `outcome` is not an acceptable answer to `call`, or undefined when it is. */
export function judgeCall(call: FuzzCall, outcome: CallOutcome): string | undefined {
  const spec = procedureSpec(call.procedure);
  const allowed = mayCall(call.caller, spec.access);
  switch (outcome.kind) {
    case 'timeout': return `no reply within ${outcome.ms} ms (the maker hangs, or lost the call)`;
    case 'closed': return `the session was ended: ${outcome.detail}`;
    case 'result':
      return allowed ? undefined : `a ${call.caller} caller got a RESULT from ${spec.access} procedure ${call.procedure}`;
    case 'error': {
      const got = `${outcome.uri} (${outcome.message.slice(0, 300)})`;
      if (!allowed) return outcome.uri === WampErrorUri.notAuthorized ? undefined : `a ${call.caller} caller of ${spec.access} procedure ${call.procedure} must get wamp.error.not_authorized before any argument is looked at, got ${got}`;
      if (SPECIFIC_ERROR_URIS.has(outcome.uri)) return undefined;
      if (outcome.uri === WampErrorUri.noSuchProcedure && spec.callsSeller === true) return undefined;
      return `error URI not in the allow-list: ${got}`;
    }
  }
}

/** Why the answer to a cryptosign HELLO is not acceptable, or undefined. */
export function judgeHello(outcome: HelloOutcome): string | undefined {
  switch (outcome.kind) {
    case 'challenge': return outcome.authmethod === 'cryptosign' ? undefined : `challenged with ${outcome.authmethod}, not cryptosign`;
    case 'welcome': return `welcomed without proving the key: ${JSON.stringify(outcome.details)}`;
    case 'abort': return HELLO_ABORT_URIS.has(outcome.uri) ? undefined : `ABORT reason not in the allow-list: ${outcome.uri} (${outcome.message.slice(0, 300)})`;
    case 'closed': return `the connection was dropped instead of an ABORT: ${outcome.detail}`;
    case 'timeout': return `no answer to HELLO within ${outcome.ms} ms`;
  }
}
