export * from './Vmware2scwApi';
