/** Argument access for maker procedures: autobahn callers may pass an argument by position or by keyword. */
import { argumentError, describe } from '../../../schema/codec/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import type { ProcedureCall } from './procedure.js';

/**
 * Reads the arguments named `names` from a call: position i, or the keyword of the same name. Too many
 * positional arguments, an unknown keyword or one given both ways are refused, so a client's typo does not pass silently.
 */
export function namedArgs<N extends string>(procedure: string, call: ProcedureCall, names: readonly N[]): Record<N, unknown> {
  if (call.args.length > names.length) {
    throw new WampError(WampErrorUri.invalidArgument, `${procedure}: expected at most ${names.length} positional arguments, got ${call.args.length}`);
  }
  const out = {} as Record<N, unknown>;
  names.forEach((name, i) => {
    out[name] = i < call.args.length ? call.args[i] : call.kwargs[name];
  });
  for (const k of Object.keys(call.kwargs)) {
    const i = (names as readonly string[]).indexOf(k);
    if (i === -1) throw argumentError(k, `no such keyword argument of ${procedure}`, describe(call.kwargs[k]));
    if (i < call.args.length) throw argumentError(k, `given once (it is also positional argument ${i + 1} of ${procedure})`, 'given twice');
  }
  return out;
}

/** The one argument of a call, positional or keyword `name`; more arguments are refused. */
export function onlyArg(procedure: string, call: ProcedureCall, name: string): unknown {
  return namedArgs(procedure, call, [name])[name];
}
