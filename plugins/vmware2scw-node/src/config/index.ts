export * from './Vmware2scwConfig';
