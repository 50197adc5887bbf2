/*
 * Writes the sample RVTools export of this directory from the table in
 * plugins/vmware2scw-node/src/rvtools/testing/RvtoolsSample.ts:
 *   rvtools-sample.xlsx        as RVTools "Export all to Excel" writes it
 *   rvtools-sample-csv/        as RVTools "Export all to csv" writes it (RVTools_tab<sheet>.csv)
 *
 * Run from the repository root:
 *   node --require @backstage/cli/config/nodeTransform.cjs examples/inventory/generate-rvtools-sample.ts
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  rvtoolsSampleSheets,
  writeRvtoolsCsv,
  writeRvtoolsXlsx,
} from '../../plugins/vmware2scw-node/src/testUtils';

async function main() {
  const dir = __dirname;
  const sheets = rvtoolsSampleSheets();
  await fs.writeFile(
    path.join(dir, 'rvtools-sample.xlsx'),
    await writeRvtoolsXlsx(sheets),
  );
  const csvDir = path.join(dir, 'rvtools-sample-csv');
  await fs.mkdir(csvDir, { recursive: true });
  for (const f of writeRvtoolsCsv(sheets))
    await fs.writeFile(path.join(csvDir, f.fileName), f.content);
  const vms = sheets.find(s => s.sheet === 'vInfo')!.rows.length;
  process.stdout.write(
    `wrote ${vms} VMs to ${path.relative(
      process.cwd(),
      dir,
    )}/rvtools-sample.xlsx and rvtools-sample-csv/\n`,
  );
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
