/** Test helpers for code that takes a CallCtx (`@massive/contracts/testing`). */
export { hangUpCtx } from './hang-up-ctx';
export { prng } from './prng';
