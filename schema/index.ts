export { WampError, WampErrorUri, toWampError } from './errors.js';
export { createLogger, type Logger, type LogFields, type LogLevel } from './log.js';
