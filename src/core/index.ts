// The core vocabulary: the types and words every layer shares. Nothing here
// imports the project's own modules.
export * from './vocabulary.js';
export * from './clock.js';
export * from './limit-rule.js';
export * from './phone-mask.js';
