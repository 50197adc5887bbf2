/*
 * Run by vmware2scw.e2e.test.ts before Jest collects its tests (a test cannot skip itself once started):
 * starts the example backend, prints {"missing": "<why>"} or {} on the last line, stops it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExampleBackend, freePort } from './ExampleBackend';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'vmware2scw-e2e-probe-'));
  const backend = new ExampleBackend({
    port: Number(process.argv[2]) || (await freePort()),
    dataDir,
    userEntityRef: 'user:default/guest',
  });
  try {
    await backend.start();
    const missing = await backend.engineMissing();
    process.stdout.write(`\n${JSON.stringify(missing ? { missing } : {})}\n`);
  } catch (e) {
    process.stdout.write(`\n${JSON.stringify({ missing: String(e) })}\n`);
  } finally {
    await backend.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main();
