import { VcenterError, VcenterProtocolError } from './faults';
import type { VcenterConnection } from './VcenterConnection';
import { vmRef, type VmRef } from './VimRefs';
import { morefXml, xml, type MoRef } from './VimXml';
import { arrayItems, at, int, text } from './VimValue';

/** Custom attributes (CustomFieldsManager) of vCenter entities. */
export class CustomAttributes {
  constructor(private readonly vc: VcenterConnection) {}

  /**
   * Sets a custom attribute on an entity, creating the field definition for the entity's type when it
   * does not exist and `create` is not false.
   */
  async set(
    entity: VmRef | MoRef,
    name: string,
    value: string,
    opts: { create?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const ref = typeof entity === 'string' ? vmRef(entity) : entity;
    await this.vc.run(async ({ content, pc }) => {
      const cfm = content.customFieldsManager;
      if (!cfm) {
        throw new VcenterError({
          code: 'VCENTER_NO_CUSTOM_FIELDS',
          message:
            'This server has no CustomFieldsManager (a standalone ESXi host?)',
          remediation:
            'Use vSphere tags, or connect to vCenter rather than to a host.',
        });
      }
      const o = await pc.retrieveOne(cfm, ['field'], opts);
      const def = arrayItems(o?.props.field, 'CustomFieldDef').find(d => {
        const type = text(at(d, 'managedObjectType'));
        return text(at(d, 'name')) === name && (!type || type === ref.type);
      });
      let key = int(at(def, 'key'));
      if (key === undefined) {
        if (opts.create === false) {
          throw new VcenterError({
            code: 'VCENTER_NO_CUSTOM_FIELD',
            message: `vCenter has no custom attribute "${name}" for ${ref.type}`,
            remediation:
              'Create the custom attribute in vCenter or allow its creation.',
          });
        }
        const added = await this.vc.soap.call(
          'AddCustomFieldDef',
          xml`${morefXml('_this', cfm)}<name>${name}</name><moType>${
            ref.type
          }</moType>`,
          opts,
        );
        key = int(at(added.returnval, 'key'));
        if (key === undefined) {
          // Writing with a guessed key would set another attribute of the VM.
          throw new VcenterProtocolError({
            code: 'VCENTER_BAD_RESPONSE',
            message: `vCenter created the custom attribute "${name}" but did not return its key`,
            remediation:
              'Retry: the attribute now exists and will be found by name; report it with the vCenter version if it persists.',
            method: 'AddCustomFieldDef',
          });
        }
      }
      await this.vc.soap.call(
        'SetField',
        xml`${morefXml('_this', cfm)}${morefXml(
          'entity',
          ref,
        )}<key>${key}</key><value>${value}</value>`,
        opts,
      );
    }, opts.signal);
  }
}
