export * from './outcome.js';
export * from './reference.js';
