export * from './Vmware2scwClient';
