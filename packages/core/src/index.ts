export * from './outcome.js';
export * from './reference.js';
export * from './json.js';
