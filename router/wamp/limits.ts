/**
 * Limits every decoded client message is held to before the router trusts any of it (docs/protocol.md#trust-model,
 * "bounded before trusted"). One place, so the three serializers cannot drift apart.
 */

/**
 * Arrays and dictionaries a message may nest inside each other, the message itself being level 1 and
 * an empty container counting like any other. Decoders refuse deeper payloads as
 * `wamp.error.protocol_violation`: a deeply nested payload decoded here would otherwise be routed to
 * a callee or subscriber whose decoder, and our own re-encoders, recurse once per level and can run
 * out of stack. WAMP messages need a handful of levels; application payloads rarely a few dozen.
 */
export const MAX_NESTING_DEPTH = 1000;

/** The longest URI a client may send (defined with the other WAMP URI rules). */
export { MAX_URI_LENGTH } from '../../schema/wamp/index.js';
