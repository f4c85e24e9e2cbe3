export { jsonSerializer } from './json.js';
export { msgpackSerializer } from './msgpack.js';
export { cborSerializer } from './cbor.js';
