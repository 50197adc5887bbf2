export * from './Vmware2scwConfig';
export * from './ConfigError';
