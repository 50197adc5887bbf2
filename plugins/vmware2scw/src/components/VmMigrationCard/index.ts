export { VmMigrationCard } from './VmMigrationCard';
