export * from './outcome.js';
export * from './reference.js';
export * from './json.js';
export * from './vital-signs.js';
export * from './accounts.js';
export * from './visit-modes.js';
