export * from './RunnerClient';
