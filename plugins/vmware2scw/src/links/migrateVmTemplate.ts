import { useRouteRef } from '@backstage/frontend-plugin-api';
import { scaffolderTemplateRouteRef } from '../routes';

/** The "Migrate a VM" template (examples/templates), whose `vm` field takes the VM's entity ref. */
export const MIGRATE_VM_TEMPLATE = {
  namespace: 'default',
  templateName: 'migrate-vm-to-scaleway',
} as const;

/** Where the scaffolder is mounted in a default app, for apps that do not bind the external route. */
const DEFAULT_SCAFFOLDER_PATH = '/create';

/** `<template page>?formData={"vm":"<entityRef>"}`: the scaffolder opens the template with the VM chosen. */
export function migrateVmTemplateHref(
  templatePath: string,
  entityRef: string,
): string {
  return `${templatePath}?formData=${encodeURIComponent(
    JSON.stringify({ vm: entityRef }),
  )}`;
}

/** Link to the "Migrate a VM" template pre-filled with this VM. */
export function useMigrateVmTemplateLink(entityRef: string): string {
  const templateRoute = useRouteRef(scaffolderTemplateRouteRef);
  const path =
    templateRoute?.(MIGRATE_VM_TEMPLATE) ??
    `${DEFAULT_SCAFFOLDER_PATH}/templates/${MIGRATE_VM_TEMPLATE.namespace}/${MIGRATE_VM_TEMPLATE.templateName}`;
  return migrateVmTemplateHref(path, entityRef);
}
