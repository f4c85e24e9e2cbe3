export { startEmbeddedIpfsNode, type EmbeddedIpfsNode } from './embedded.js';
