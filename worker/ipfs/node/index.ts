export { startEmbeddedIpfsNode, type EmbeddedIpfsNode, type EmbeddedIpfsOptions } from './embedded.js';
