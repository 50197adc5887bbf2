export { VmMigrationContent } from './VmMigrationContent';
