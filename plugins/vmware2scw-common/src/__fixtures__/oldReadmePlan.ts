/**
 * The "Format du plan batch" example of the old tool's README, verbatim (comments included):
 * the plan format's contract.
 */
export const OLD_README_PLAN = `version: 1

metadata:
  generated_at: "2026-02-27T14:00:00Z"
  vcenter: vcenter.local

defaults:
  zone: fr-par-1
  sizing_strategy: optimize
  tags:
    - migrated-from-vmware

concurrency:
  max_exports_per_host: 4
  max_concurrent_conversions: 3
  max_concurrent_uploads: 6
  max_total_workers: 10

migrations:
  - vm_name: web-dev-01
    target_type: PLAY2-MICRO
    priority: 1
    wave: canary

  - vm_pattern: "dev-*"
    target_type: PLAY2-NANO
    priority: 3
    wave: dev

  - vm_name: web-prod-01
    target_type: POP2-4C-16G
    priority: 2
    wave: production

exclude:
  - vm_pattern: "template-*"
  - vm_name: legacy-do-not-touch

waves:
  - name: canary
    vms: ["web-dev-01"]
    pause_after: pause              # Toujours attendre

  - name: dev
    vms: ["dev-*"]
    pause_after: pause_on_failure   # Continuer sauf erreur

  - name: production
    vms: ["web-prod-*", "db-*"]
    pause_after: pause

post_migration:
  tag_source: "migrated-to-scaleway"
  power_off_source: false
  delete_vmware_snapshot: true
  delete_s3_transit: true
`;
