import { OLD_README_PLAN } from '../__fixtures__/oldReadmePlan';
import { parsePlan } from './PlanParser';
import { serializePlan } from './PlanSerializer';

describe('serializePlan', () => {
  it('writes the old README plan back in the same layout (its comments aside)', () => {
    const withoutComments = OLD_README_PLAN.replace(/ +#.*$/gm, '');
    expect(serializePlan(parsePlan(OLD_README_PLAN).plan!)).toBe(
      withoutComments,
    );
  });

  it('writes section defaults out, so the file shows every setting', () => {
    const text = serializePlan({
      version: 1,
      migrations: [{ vm_name: 'web-01' }],
    });
    expect(text).toContain('sizing_strategy: optimize');
    expect(text).toContain('max_exports_per_host: 4');
    expect(text).toContain('delete_s3_transit: true');
    expect(parsePlan(text).plan?.migrations).toEqual([{ vm_name: 'web-01' }]);
  });

  it('quotes names a YAML 1.1 reader (the old tool) would take for something else', () => {
    const text = serializePlan({
      version: 1,
      migrations: [
        { vm_name: 'yes' },
        { vm_name: '1:30' },
        { vm_name: 'null' },
      ],
    });
    expect(text).toContain('vm_name: "yes"');
    expect(text).toContain('vm_name: "1:30"');
    expect(parsePlan(text).plan?.migrations.map(m => m.vm_name)).toEqual([
      'yes',
      '1:30',
      'null',
    ]);
  });
});
