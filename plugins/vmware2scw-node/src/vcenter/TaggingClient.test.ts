import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { VcenterRestError } from './faults';
import { TaggingClient } from './TaggingClient';

/** A vAPI /rest tagging endpoint with one category and no tag, whose tokens expire on demand. */
async function startVapi() {
  const requests: Array<{ method: string; path: string; body: string }> = [];
  const state = {
    tokens: new Set<string>(),
    categories: new Map([['urn:c:1', 'Owner']]),
    tags: new Map<string, { name: string; category_id: string }>(),
    attached: [] as string[],
  };
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => {
      body += c;
    });
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      requests.push({
        method: req.method!,
        path: `${url.pathname}${url.search}`,
        body,
      });
      const ok = (value?: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(value === undefined ? '' : JSON.stringify({ value }));
      };
      const p = url.pathname.replace('/rest/com/vmware/cis', '');
      if (p === '/session' && req.method === 'POST') {
        const token = `t${++n}`;
        state.tokens.add(token);
        return ok(token);
      }
      if (!state.tokens.has(req.headers['vmware-api-session-id'] as string))
        return res.writeHead(401).end();
      const action = url.searchParams.get('~action');
      if (p === '/tagging/category' && req.method === 'GET')
        return ok([...state.categories.keys()]);
      if (p.startsWith('/tagging/category/id:'))
        return ok({ name: state.categories.get(p.slice(21)) });
      if (p === '/tagging/category' && req.method === 'POST') {
        state.categories.set('urn:c:2', JSON.parse(body).create_spec.name);
        return ok('urn:c:2');
      }
      if (
        p.startsWith('/tagging/tag/id:') &&
        action === 'list-tags-for-category'
      ) {
        return ok(
          [...state.tags]
            .filter(([, t]) => t.category_id === p.slice(16))
            .map(([id]) => id),
        );
      }
      if (p.startsWith('/tagging/tag/id:'))
        return ok(state.tags.get(p.slice(16)));
      if (p === '/tagging/tag' && req.method === 'POST') {
        const spec = JSON.parse(body).create_spec;
        state.tags.set(`urn:t:${state.tags.size + 1}`, {
          name: spec.name,
          category_id: spec.category_id,
        });
        return ok(`urn:t:${state.tags.size}`);
      }
      if (p.startsWith('/tagging/tag-association/id:') && action === 'attach') {
        state.attached.push(`${p.slice(28)} ${JSON.parse(body).object_id.id}`);
        return ok();
      }
      if (action === 'list-attached-tags-on-objects') {
        const ids = JSON.parse(body).object_ids as Array<{
          id: string;
          type: string;
        }>;
        return ok(
          ids.map(o => ({
            object_id: o,
            tag_ids: state.attached
              .filter(a => a.endsWith(` ${o.id}`))
              .map(a => a.split(' ')[0]),
          })),
        );
      }
      return res.writeHead(404).end();
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    server,
    requests,
    state,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}

describe('TaggingClient', () => {
  const dispatcher = new Agent();
  afterAll(() => dispatcher.close());

  it('attaches a tag, creating it in its existing category, then reads it back in batches', async () => {
    const vapi = await startVapi();
    const client = new TaggingClient({
      origin: vapi.origin,
      dispatcher,
      basicAuth: () => 'Basic x',
    });
    const vm = { type: 'VirtualMachine', value: 'vm-42' };
    await client.attachTag(
      vm,
      { category: 'Owner', name: 'team-a' },
      { create: true },
    );
    expect(vapi.state.attached).toEqual(['urn:t:1 vm-42']);
    expect(vapi.state.categories.size).toBe(1);

    const tags = await client.attachedTags(
      [vm, { type: 'VirtualMachine', value: 'vm-43' }],
      { batchSize: 1 },
    );
    expect(tags).toEqual(
      new Map([['vm-42', [{ category: 'Owner', name: 'team-a' }]]]),
    );
    expect(
      vapi.requests.filter(r =>
        r.path.includes('list-attached-tags-on-objects'),
      ),
    ).toHaveLength(2);
    vapi.server.close();
  });

  it('creates a missing category, logs in again when the token expired, and refuses to create when told not to', async () => {
    const vapi = await startVapi();
    const client = new TaggingClient({
      origin: vapi.origin,
      dispatcher,
      basicAuth: () => 'Basic x',
    });
    const vm = { type: 'VirtualMachine', value: 'vm-1' };
    await expect(
      client.attachTag(vm, { category: 'vmware2scw', name: 'migrated' }),
    ).rejects.toThrow(VcenterRestError);
    await client.attachTag(
      vm,
      { category: 'vmware2scw', name: 'migrated' },
      { create: true },
    );
    expect(vapi.state.categories.get('urn:c:2')).toBe('vmware2scw');

    vapi.state.tokens.clear(); // token expired
    await client.attachTag(vm, { category: 'vmware2scw', name: 'migrated' });
    expect(
      vapi.requests.filter(r => r.path === '/rest/com/vmware/cis/session'),
    ).toHaveLength(2);
    await client.logout();
    vapi.server.close();
  });

  it('refuses an answer larger than its limit without reading it whole', async () => {
    const vapi = await startVapi();
    for (let i = 0; i < 400; i++)
      vapi.state.categories.set(`urn:c:many-${i}`, `category-${i}`);
    const client = new TaggingClient({
      origin: vapi.origin,
      dispatcher,
      basicAuth: () => 'Basic x',
      maxResponseBytes: 4096,
    });
    const err = await client
      .attachTag(
        { type: 'VirtualMachine', value: 'vm-1' },
        {
          category: 'Owner',
          name: 'x',
        },
      )
      .catch(e => e);
    expect(err).toBeInstanceOf(VcenterRestError);
    expect(err.code).toBe('VCENTER_RESPONSE_TOO_LARGE');
    vapi.server.close();
  });
});
