export * from './errors.js';
export * from './event.js';
export * from './merge-patch.js';
export * from './names.js';
export * from './sse.js';
export * from './sse-parser.js';
export * from './validate.js';
export * from './ws-frames.js';
