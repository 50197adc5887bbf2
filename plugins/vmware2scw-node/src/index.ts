export * from './config';
export * from './api';
export * from './rvtools';
export * from './vcenter';
export * from './scaleway';
export * from './runner';
