export * from './config';
export * from './api';
