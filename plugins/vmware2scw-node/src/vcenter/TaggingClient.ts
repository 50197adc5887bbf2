import type { LoggerService } from '@backstage/backend-plugin-api';
import type { VmTag } from '@internal/plugin-vmware2scw-common';
import { request, type Dispatcher } from 'undici';
import { VcenterAbortedError, VcenterRestError } from './faults';
import {
  formatLimit,
  MAX_REST_RESPONSE_BYTES,
  readBodyText,
} from './ResponseLimit';
import { tlsErrorOf } from './TlsPolicy';
import type { MoRef } from './VimXml';

/**
 * vSphere tags. They live in the vAPI service, not in vim25 (the SOAP `tag` property is a different,
 * legacy thing), so this client speaks the `/rest/com/vmware/cis/...` JSON API, which vCenter 6.5 to
 * 8.x serve and vcsim simulates. It logs in with the same credentials (HTTP Basic) and keeps the
 * `vmware-api-session-id` token.
 */
export interface TaggingClientOptions {
  origin: string;
  dispatcher: Dispatcher;
  /** `Basic <base64>`; a function so that the password is not kept in another object. */
  basicAuth: () => string;
  logger?: LoggerService;
  onCall?: () => void;
  /** Largest answer read, default {@link MAX_REST_RESPONSE_BYTES}; a larger one is refused. */
  maxResponseBytes?: number;
}

interface AttachedTags {
  object_id: { id: string; type: string };
  tag_ids?: string[];
}

export class TaggingClient {
  private token?: string;
  private readonly tagCache = new Map<
    string,
    { name: string; categoryId: string }
  >();
  private readonly categoryCache = new Map<string, string>();

  constructor(private readonly opts: TaggingClientOptions) {}

  /** Tags attached to each object, as `{category, name}`; objects without tags are absent. */
  async attachedTags(
    objects: MoRef[],
    opts: { signal?: AbortSignal; batchSize?: number } = {},
  ): Promise<Map<string, VmTag[]>> {
    const result = new Map<string, VmTag[]>();
    const batch = opts.batchSize ?? 500;
    for (let i = 0; i < objects.length; i += batch) {
      const chunk = objects.slice(i, i + batch);
      const attached = await this.call<AttachedTags[]>(
        'POST',
        '/com/vmware/cis/tagging/tag-association?~action=list-attached-tags-on-objects',
        { object_ids: chunk.map(o => ({ type: o.type, id: o.value })) },
        opts.signal,
      );
      for (const a of attached ?? []) {
        const tags: VmTag[] = [];
        for (const id of a.tag_ids ?? []) {
          const tag = await this.tag(id, opts.signal);
          if (tag) tags.push(tag);
        }
        if (tags.length) result.set(a.object_id.id, tags);
      }
    }
    return result;
  }

  /**
   * Attaches `category/name` to an object, creating the category (multiple cardinality, any type)
   * and the tag when `create` is set and they do not exist yet. Attaching twice is harmless.
   */
  async attachTag(
    obj: MoRef,
    tag: { category: string; name: string },
    opts: { create?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const { signal } = opts;
    let categoryId = await this.findCategory(tag.category, signal);
    if (!categoryId) {
      if (!opts.create) throw this.notFound(`tag category "${tag.category}"`);
      categoryId = await this.call<string>(
        'POST',
        '/com/vmware/cis/tagging/category',
        {
          create_spec: {
            name: tag.category,
            description: 'Created by vmware2scw',
            cardinality: 'MULTIPLE',
            associable_types: [],
          },
        },
        signal,
      );
    }
    let tagId = await this.findTag(categoryId!, tag.name, signal);
    if (!tagId) {
      if (!opts.create)
        throw this.notFound(`tag "${tag.category}/${tag.name}"`);
      tagId = await this.call<string>(
        'POST',
        '/com/vmware/cis/tagging/tag',
        {
          create_spec: {
            name: tag.name,
            description: 'Created by vmware2scw',
            category_id: categoryId,
          },
        },
        signal,
      );
    }
    await this.call(
      'POST',
      `/com/vmware/cis/tagging/tag-association/id:${idSegment(
        tagId!,
      )}?~action=attach`,
      { object_id: { type: obj.type, id: obj.value } },
      signal,
    );
  }

  async logout(): Promise<void> {
    if (!this.token) return;
    try {
      await this.call('DELETE', '/com/vmware/cis/session');
    } catch {
      // The token expires by itself.
    }
    this.token = undefined;
  }

  private async findCategory(
    name: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const ids =
      (await this.call<string[]>(
        'GET',
        '/com/vmware/cis/tagging/category',
        undefined,
        signal,
      )) ?? [];
    for (const id of ids) {
      if ((await this.categoryName(id, signal)) === name) return id;
    }
    return undefined;
  }

  private async findTag(
    categoryId: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const ids =
      (await this.call<string[]>(
        'POST',
        `/com/vmware/cis/tagging/tag/id:${idSegment(
          categoryId,
        )}?~action=list-tags-for-category`,
        undefined,
        signal,
      )) ?? [];
    for (const id of ids) {
      if ((await this.tag(id, signal))?.name === name) return id;
    }
    return undefined;
  }

  private async tag(
    id: string,
    signal?: AbortSignal,
  ): Promise<VmTag | undefined> {
    let t = this.tagCache.get(id);
    if (!t) {
      const raw = await this.call<{ name: string; category_id: string }>(
        'GET',
        `/com/vmware/cis/tagging/tag/id:${idSegment(id)}`,
        undefined,
        signal,
      );
      if (!raw) return undefined;
      t = { name: raw.name, categoryId: raw.category_id };
      this.tagCache.set(id, t);
    }
    return {
      category: await this.categoryName(t.categoryId, signal),
      name: t.name,
    };
  }

  private async categoryName(
    id: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    let name = this.categoryCache.get(id);
    if (name === undefined) {
      const raw = await this.call<{ name: string }>(
        'GET',
        `/com/vmware/cis/tagging/category/id:${idSegment(id)}`,
        undefined,
        signal,
      );
      name = raw?.name ?? '';
      this.categoryCache.set(id, name);
    }
    return name || undefined;
  }

  private async login(signal?: AbortSignal): Promise<void> {
    const res = await this.send(
      'POST',
      '/com/vmware/cis/session',
      undefined,
      signal,
      {
        authorization: this.opts.basicAuth(),
      },
    );
    if (res.status !== 200) throw this.httpError(res.status, 'session login');
    const token = (res.json as { value?: string } | undefined)?.value;
    if (!token) throw this.httpError(res.status, 'session login (no token)');
    this.token = token;
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    if (!this.token) await this.login(signal);
    let res = await this.send(method, path, body, signal);
    if (res.status === 401) {
      // Token expired: one new login, one retry.
      await this.login(signal);
      res = await this.send(method, path, body, signal);
    }
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300)
      throw this.httpError(res.status, path, res.json);
    return (res.json as { value?: T } | undefined)?.value;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...extraHeaders,
    };
    if (this.token && !extraHeaders.authorization)
      headers['vmware-api-session-id'] = this.token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    this.opts.onCall?.();
    const what = path.split('?')[0];
    const maxBytes = this.opts.maxResponseBytes ?? MAX_REST_RESPONSE_BYTES;
    let res: Dispatcher.ResponseData;
    let text: string | undefined;
    try {
      res = await request(`${this.opts.origin}/rest${path}`, {
        method: method as 'GET',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.opts.dispatcher,
        signal,
      });
      text = await readBodyText(res, maxBytes);
    } catch (err) {
      if (signal?.aborted) {
        throw new VcenterAbortedError({
          code: 'VCENTER_ABORTED',
          message: `vAPI ${method} ${what} was aborted`,
          remediation: 'The operation was canceled by its caller.',
          cause: signal.reason,
        });
      }
      throw (
        tlsErrorOf(err, new URL(this.opts.origin).host) ??
        new VcenterRestError({
          code: 'VCENTER_UNREACHABLE',
          message: `Could not reach the vCenter vAPI endpoint for ${what}`,
          remediation: 'Check the vCenter URL, DNS and firewall (TCP 443).',
          cause: err,
        })
      );
    }
    if (text === undefined) {
      throw new VcenterRestError({
        code: 'VCENTER_RESPONSE_TOO_LARGE',
        message: `vCenter vAPI answer to ${what} is larger than ${formatLimit(
          maxBytes,
        )}; it was not read`,
        remediation:
          'Check that the vCenter URL reaches vCenter directly (no proxy in between); report it with the vCenter version otherwise.',
        status: res.statusCode,
      });
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json };
  }

  private httpError(
    status: number,
    what: string,
    json?: unknown,
  ): VcenterRestError {
    const type = (json as { type?: string } | undefined)?.type;
    return new VcenterRestError({
      code: status === 401 ? 'VCENTER_REST_UNAUTHORIZED' : 'VCENTER_REST_ERROR',
      message: `vCenter vAPI ${what.split('?')[0]} answered HTTP ${status}${
        type ? ` (${type})` : ''
      }`,
      remediation:
        status === 401 || status === 403
          ? 'The user needs vSphere tagging privileges (Assign or Unassign vSphere Tag, Create vSphere Tag and Tag Category).'
          : 'Check that the vCenter vAPI service (vmware-vapi-endpoint) is running.',
      status,
    });
  }

  private notFound(what: string): VcenterRestError {
    return new VcenterRestError({
      code: 'VCENTER_TAG_NOT_FOUND',
      message: `vCenter has no ${what}`,
      remediation:
        'Create it in vCenter, or let vmware2scw create it (create: true).',
      status: 404,
    });
  }
}

/** `id:<urn>` path segment; `:` stays literal as in vCenter's own clients (Go's PathEscape). */
function idSegment(id: string): string {
  return encodeURIComponent(id).replace(/%3A/gi, ':');
}
