import { vmSchema } from '@internal/plugin-vmware2scw-common';
import { entityRefValue, resolveValue, ValueRules } from './OwnershipRules';

const vm = (over: Record<string, unknown> = {}) =>
  vmSchema.parse({
    sourceId: 'vc1',
    moref: 'vm-1',
    name: 'web-01',
    powerState: 'poweredOn',
    osFamily: 'linux',
    firmware: 'efi',
    numCpu: 1,
    memoryMiB: 1024,
    folderPath: '/DC1/Production/Web/Front',
    ...over,
  });

const rules: ValueRules = {
  tagCategory: 'Owner',
  customAttribute: 'owner',
  folders: [
    { prefix: '/DC1/Production', value: 'platform-team' },
    { prefix: '/DC1/Production/Web', value: 'team-web' },
    { prefix: '/DC1/Production/We', value: 'not-a-segment-match' },
  ],
  default: 'guest',
};

describe('resolveValue', () => {
  it('prefers a tag, then a custom attribute, then the longest folder prefix, then the default', () => {
    const tagged = vm({
      tags: [{ category: 'owner', name: 'Team Data' }],
      customAttributes: { Owner: 'team-erp' },
    });
    expect(resolveValue(tagged, rules)).toEqual({
      value: 'team-data',
      rule: 'tag:Owner',
    });
    expect(
      resolveValue(vm({ customAttributes: { Owner: 'team-erp' } }), rules),
    ).toEqual({ value: 'team-erp', rule: 'custom-attribute:Owner' });
    expect(resolveValue(vm(), rules)).toEqual({
      value: 'team-web',
      rule: 'folder:/DC1/Production/Web',
    });
    expect(
      resolveValue(vm({ folderPath: '/dc1/production/db' }), rules),
    ).toEqual({ value: 'platform-team', rule: 'folder:/DC1/Production' });
    expect(resolveValue(vm({ folderPath: '/DC2/Lab' }), rules)).toEqual({
      value: 'guest',
      rule: 'default',
    });
  });

  it('skips a tag or attribute value that cannot name an entity', () => {
    expect(
      resolveValue(vm({ customAttributes: { Owner: 'Team (web)!' } }), rules)
        ?.rule,
    ).toBe('folder:/DC1/Production/Web');
  });

  it('gives nothing when no rule applies', () => {
    expect(resolveValue(vm(), { folders: [] })).toBeUndefined();
  });
});

describe('entityRefValue', () => {
  it.each([
    ['team-web', 'team-web'],
    [' Team Web ', 'team-web'],
    ['group:default/team-web', 'group:default/team-web'],
    ['Team (web)', undefined],
    ['', undefined],
  ])('%s -> %s', (raw, expected) => expect(entityRefValue(raw)).toBe(expected));
});
