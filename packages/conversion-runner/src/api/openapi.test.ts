import {
  errorBodySchema,
  runnerErrorResponseSchema,
  runnerHealthSchema,
  runnerJobListSchema,
  runnerJobLogsSchema,
  runnerJobParamsSchemas,
  runnerJobSchema,
  runnerJobSubmissionSchema,
} from '@internal/plugin-vmware2scw-common';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { z } from 'zod';
import { builtInJobKinds } from '../jobs/builtInJobKinds';
import { packageRoot } from '../PackageRoot';
import { RUNNER_ROUTES } from './RunnerHttpServer';

/** The comparable outline of a schema: object properties (required or not, closed or not), types, enums. */
type Outline =
  | { type: 'object'; closed: boolean; properties: Record<string, Field> }
  | { type: 'array'; items: Outline }
  | { type: 'string' | 'number' | 'boolean' | 'any' }
  | { type: 'enum'; values: string[] };
type Field = { required: boolean; schema: Outline };

function zodOutline(schema: z.ZodTypeAny): Outline {
  const def = schema._def;
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodNullable
  )
    return zodOutline(def.innerType);
  if (schema instanceof z.ZodEffects) return zodOutline(def.schema);
  if (schema instanceof z.ZodObject) {
    const properties: Record<string, Field> = {};
    for (const [key, value] of Object.entries(
      schema.shape as Record<string, z.ZodTypeAny>,
    ))
      properties[key] = {
        required: !value.isOptional() || value instanceof z.ZodUnknown,
        schema: zodOutline(value),
      };
    return { type: 'object', closed: def.unknownKeys === 'strict', properties };
  }
  if (schema instanceof z.ZodArray)
    return { type: 'array', items: zodOutline(def.type) };
  if (schema instanceof z.ZodEnum)
    return { type: 'enum', values: [...def.values].sort() };
  if (schema instanceof z.ZodString) return { type: 'string' };
  if (schema instanceof z.ZodNumber) return { type: 'number' };
  if (schema instanceof z.ZodBoolean) return { type: 'boolean' };
  return { type: 'any' }; // unknown, record: free-form on both sides
}

describe('openapi.yaml agrees with the runner', () => {
  const document = parse(
    readFileSync(join(packageRoot(), 'openapi.yaml'), 'utf8'),
  );
  const resolve = (node: any): any =>
    node?.$ref
      ? resolve(
          node.$ref
            .replace('#/', '')
            .split('/')
            .reduce((at: any, key: string) => at[key], document),
        )
      : node;

  function openapiOutline(node: any): Outline {
    const schema = resolve(node);
    if (schema.enum) return { type: 'enum', values: [...schema.enum].sort() };
    if (schema.oneOf) return { type: 'any' };
    switch (schema.type) {
      case 'object': {
        if (!schema.properties) return { type: 'any' };
        const required = new Set<string>(schema.required ?? []);
        const properties: Record<string, Field> = {};
        for (const [key, value] of Object.entries(schema.properties))
          properties[key] = {
            required: required.has(key),
            schema: openapiOutline(value),
          };
        return {
          type: 'object',
          closed: schema.additionalProperties === false,
          properties,
        };
      }
      case 'array':
        return { type: 'array', items: openapiOutline(schema.items) };
      case 'integer':
      case 'number':
        return { type: 'number' };
      case 'string':
      case 'boolean':
        return { type: schema.type };
      default:
        return { type: 'any' };
    }
  }

  /** Differences as readable lines ("Job.progress.percent: only in the runner"). */
  function differences(at: string, runner: Outline, spec: Outline): string[] {
    if (runner.type === 'any' || spec.type === 'any') return [];
    // the runner checks a free string against a registry (job kinds) that openapi.yaml lists as an enum
    if (runner.type === 'string' && spec.type === 'enum') return [];
    if (runner.type !== spec.type)
      return [`${at}: runner ${runner.type}, openapi.yaml ${spec.type}`];
    if (runner.type === 'enum' && spec.type === 'enum')
      return runner.values.join() === spec.values.join()
        ? []
        : [`${at}: runner [${runner.values}], openapi.yaml [${spec.values}]`];
    if (runner.type === 'array' && spec.type === 'array')
      return differences(`${at}[]`, runner.items, spec.items);
    if (runner.type === 'object' && spec.type === 'object') {
      const found: string[] = [];
      if (runner.closed !== spec.closed)
        found.push(
          `${at}: runner ${
            runner.closed ? 'refuses' : 'accepts'
          } unknown properties, openapi.yaml additionalProperties ${
            spec.closed ? 'false' : 'not false'
          }`,
        );
      for (const key of new Set([
        ...Object.keys(runner.properties),
        ...Object.keys(spec.properties),
      ])) {
        const [mine, theirs] = [runner.properties[key], spec.properties[key]];
        if (!mine) found.push(`${at}.${key}: only in openapi.yaml`);
        else if (!theirs) found.push(`${at}.${key}: only in the runner`);
        else {
          if (mine.required !== theirs.required)
            found.push(
              `${at}.${key}: ${
                mine.required ? 'required' : 'optional'
              } in the runner, not in openapi.yaml`,
            );
          found.push(
            ...differences(`${at}.${key}`, mine.schema, theirs.schema),
          );
        }
      }
      return found;
    }
    return [];
  }

  const operations = () =>
    Object.entries(
      document.paths as Record<string, Record<string, any>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        path,
        method: method.toUpperCase(),
        operation,
      })),
    );

  it('documents exactly the routes the server answers, with the query parameters each reads', () => {
    const documented = operations().map(({ path, method, operation }) => ({
      method,
      path,
      operation: operation.operationId,
      query: (operation.parameters ?? [])
        .map(resolve)
        .filter((p: any) => p.in === 'query')
        .map((p: any) => p.name)
        .sort(),
    }));
    const served = RUNNER_ROUTES.map(route => ({
      ...route,
      query: [...route.query].sort(),
    }));
    const key = (r: { method: string; path: string }) =>
      `${r.method} ${r.path}`;
    expect(documented.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      served.sort((a, b) => key(a).localeCompare(key(b))),
    );
    expect(document.security).toEqual([{ bearer: [] }]);
  });

  it('describes each request and response body as the runner’s schemas do', () => {
    const responses: Record<string, z.ZodTypeAny> = {
      getHealth: runnerHealthSchema,
      submitJob: runnerJobSchema,
      listJobs: runnerJobListSchema,
      getJob: runnerJobSchema,
      getJobLogs: runnerJobLogsSchema,
      cancelJob: runnerJobSchema,
    };
    const found: string[] = [];
    for (const { operation } of operations()) {
      for (const [status, response] of Object.entries<any>(
        operation.responses,
      )) {
        const body = resolve(response).content?.['application/json']?.schema;
        const schema = status.startsWith('2')
          ? responses[operation.operationId]
          : runnerErrorResponseSchema;
        found.push(
          ...differences(
            `${operation.operationId} ${status}`,
            zodOutline(schema),
            openapiOutline(body),
          ),
        );
      }
      const request =
        operation.requestBody?.content?.['application/json']?.schema;
      if (request)
        found.push(
          ...differences(
            `${operation.operationId} body`,
            zodOutline(runnerJobSubmissionSchema),
            openapiOutline(request),
          ),
        );
    }
    found.push(
      ...differences(
        'Error',
        zodOutline(errorBodySchema),
        openapiOutline(document.components.schemas.Error),
      ),
    );
    expect(found).toEqual([]);
  });

  it('documents the params of every registered kind, as the kind validates them', () => {
    const documented = document.components.schemas.JobSubmission.properties;
    expect([...documented.kind.enum].sort()).toEqual(
      builtInJobKinds.map(kind => kind.kind).sort(),
    );
    const found: string[] = [];
    const components = (documented.params.oneOf as Array<{ $ref: string }>).map(
      ref => ref.$ref.split('/').pop()!,
    );
    for (const [kind, schema] of Object.entries(runnerJobParamsSchemas)) {
      // the component whose outline matches the kind's schema exactly
      const matching = components.filter(
        name =>
          differences(
            kind,
            zodOutline(schema),
            openapiOutline(document.components.schemas[name]),
          ).length === 0,
      );
      if (matching.length === 0)
        found.push(
          `${kind}: no params component of openapi.yaml matches; closest differences: ${components
            .map(name =>
              differences(
                name,
                zodOutline(schema),
                openapiOutline(document.components.schemas[name]),
              ),
            )
            .sort((a, b) => a.length - b.length)[0]
            .join('; ')}`,
        );
    }
    expect(found).toEqual([]);
    // each registered kind validates its params with the shared schema
    for (const kind of builtInJobKinds)
      expect(kind.paramsSchema).toBe(
        runnerJobParamsSchemas[
          kind.kind as keyof typeof runnerJobParamsSchemas
        ],
      );
  });
});
