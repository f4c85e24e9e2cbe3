/**
 * The market maker's WAMP API as types and readers: {@link MakerApi} (procedure → arguments, keyword
 * arguments, result), the reader of each result, and {@link readMakerResult} to apply it to an answer.
 */
export { isMakerProcedure, readMakerResult, type MakerApi, type MakerArgs, type MakerKwargs, type MakerProcedureUri, type MakerResult } from './maker-api.js';
export * from './results.js';
export * from './admin-results.js';
