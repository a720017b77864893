export * from './readings.js';
export * from './news2.js';
export * from './rules.js';
export * from './api.js';
