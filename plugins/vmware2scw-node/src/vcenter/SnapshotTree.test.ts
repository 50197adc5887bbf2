import fs from 'node:fs';
import path from 'node:path';
import { flattenSnapshots } from './SnapshotTree';
import { parseSoapBody } from './VimXml';
import { at, list, text } from './VimValue';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '__fixtures__/vc8', name), 'utf8');

describe('flattenSnapshots', () => {
  it('flattens a nested tree depth first and marks the current snapshot', () => {
    const body = parseSoapBody(fixture('RetrievePropertiesEx-vms-page1.xml'));
    const sql = list(
      at(body.RetrievePropertiesExResponse, 'returnval', 'objects'),
    )[1];
    const snapshot = list(at(sql, 'propSet')).find(
      p => text(at(p, 'name')) === 'snapshot',
    );
    const snaps = flattenSnapshots(at(snapshot, 'val'));
    expect(
      snaps.map(s => [s.snapshot.value, s.name, s.parent?.value, s.current]),
    ).toEqual([
      ['snapshot-1207', 'before-patch-2026-10', undefined, false],
      ['snapshot-1208', 'veeam-tmp', 'snapshot-1207', true],
    ]);
    expect(snaps[0]).toMatchObject({
      quiesced: true,
      id: 1,
      description: 'Monthly patching',
    });
    expect(snaps[1].description).toBeUndefined();
  });

  it('returns nothing for a VM without snapshots (the property is absent)', () => {
    expect(flattenSnapshots(undefined)).toEqual([]);
  });
});
