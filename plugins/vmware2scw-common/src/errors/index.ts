export * from './Vmware2scwError';
