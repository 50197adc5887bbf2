#!/usr/bin/env node
// Writes src/scaleway/__fixtures__/recordedScalewayShapes.json from recorded Scaleway API traffic
// (go-vcr v2 cassettes of the Terraform provider, see src/scaleway/__fixtures__/README.md): for each
// exchange the simulator must imitate, the method, the path with ids replaced by `{id}`, the status,
// the Content-Type and X-Total-Count headers, the request and response bodies' shapes (field names
// and JSON types, not values) and the resource's state, so that tests run without the cassettes.
// Usage: node scripts/extract-scaleway-shapes.mjs <directory holding the four cassettes>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: extract-scaleway-shapes.mjs <cassette directory>');
  process.exit(2);
}

/** [name, cassette, interaction id] of every exchange the simulator is checked against. */
const PICKS = [
  ['block.snapshot.import', 'block--snapshot-from-s3', 13],
  ['block.snapshot.get.creating', 'block--snapshot-from-s3', 14],
  ['block.snapshot.get.available', 'block--snapshot-from-s3', 15],
  ['block.snapshot.delete', 'block--snapshot-from-s3', 30],
  ['block.snapshot.get.deleted', 'block--snapshot-from-s3', 31],
  ['instance.image.create', 'instance--image-basic', 8],
  ['instance.image.get', 'instance--image-basic', 9],
  ['block.snapshot.get.in_use', 'instance--image-basic', 12],
  ['instance.image.delete', 'instance--image-basic', 42],
  ['instance.image.get.deleted', 'instance--image-basic', 43],
  ['block.snapshot.get.released', 'instance--image-basic', 44],
  [
    'instance.server.create',
    'instance--server-root-volume-from-external-snapshot',
    4,
  ],
  [
    'instance.server.get.stopped',
    'instance--server-root-volume-from-external-snapshot',
    5,
  ],
  [
    'block.volume.get.in_use',
    'instance--server-root-volume-from-external-snapshot',
    9,
  ],
  [
    'instance.server.action.poweron',
    'instance--server-root-volume-from-external-snapshot',
    46,
  ],
  [
    'instance.server.get.starting',
    'instance--server-root-volume-from-external-snapshot',
    47,
  ],
  [
    'instance.server.get.running',
    'instance--server-root-volume-from-external-snapshot',
    48,
  ],
  [
    'instance.server.action.terminate',
    'instance--server-root-volume-from-external-snapshot',
    74,
  ],
  [
    'instance.server.get.stopping',
    'instance--server-root-volume-from-external-snapshot',
    75,
  ],
  [
    'instance.server.get.deleted',
    'instance--server-root-volume-from-external-snapshot',
    76,
  ],
  [
    'block.volume.get.detached',
    'instance--server-root-volume-from-external-snapshot',
    78,
  ],
  [
    'block.volume.delete',
    'instance--server-root-volume-from-external-snapshot',
    79,
  ],
  [
    'block.volume.get.deleted',
    'instance--server-root-volume-from-external-snapshot',
    80,
  ],
];

function shape(value) {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return value.length ? { array: shape(value[0]) } : { array: null };
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, shape(v)]),
    );
  return typeof value;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const cassettes = new Map();
const out = [];
for (const [name, cassette, id] of PICKS) {
  if (!cassettes.has(cassette))
    cassettes.set(
      cassette,
      parse(readFileSync(join(dir, `${cassette}.cassette.yaml`), 'utf8')),
    );
  const it = cassettes.get(cassette).interactions.find(i => i.id === id);
  const url = new URL(it.request.url);
  const body = it.response.body ? JSON.parse(it.response.body) : undefined;
  const resource = body?.server ?? body?.image ?? body;
  out.push({
    name,
    source: `${cassette}#${id} (${it.response.headers.Date?.[0] ?? ''})`,
    method: it.request.method,
    path: url.pathname.replace(UUID, '{id}'),
    status: it.response.code,
    contentType: it.response.headers['Content-Type']?.[0] ?? null,
    totalCount: it.response.headers['X-Total-Count'] ? true : undefined,
    state: resource?.state ?? resource?.status ?? undefined,
    stateDetail: resource?.state_detail || undefined,
    request: it.request.body ? shape(JSON.parse(it.request.body)) : undefined,
    response: body === undefined ? undefined : shape(body),
  });
}
const target = new URL(
  '../src/scaleway/__fixtures__/recordedScalewayShapes.json',
  import.meta.url,
);
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${out.length} exchanges to ${target.pathname}`);
