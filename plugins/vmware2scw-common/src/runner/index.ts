export * from './safeName';
export * from './jobParams';
export * from './jobWire';
