/**
 * OpenAPI document of the vmware2scw backend, the single source of the HTTP contract: the router is built
 * from it (requests are validated against it) and it is served at `/api/vmware2scw/openapi.json`.
 */
export const spec = {
  openapi: '3.0.3',
  info: {
    title: 'vmware2scw',
    version: '1',
    description: 'Migration of vSphere VMs to Scaleway Instances.',
    license: { name: 'Apache-2.0' },
  },
  servers: [{ url: '/' }],
  components: {
    examples: {},
    headers: {},
    parameters: {},
    requestBodies: {},
    responses: {},
    securitySchemes: {},
    schemas: {
      Health: {
        type: 'object',
        required: ['status', 'version', 'vcenters', 'runners', 'scaleway'],
        additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['ok'] },
          version: {
            type: 'string',
            description: 'Version of @internal/plugin-vmware2scw-backend.',
          },
          vcenters: {
            type: 'integer',
            description: 'Number of configured vCenters.',
          },
          runners: {
            type: 'integer',
            description: 'Number of configured conversion runners.',
          },
          scaleway: {
            type: 'object',
            required: ['configured'],
            additionalProperties: false,
            properties: {
              configured: { type: 'boolean' },
              defaultZone: { type: 'string' },
            },
          },
        },
      },
    },
  },
  paths: {
    '/health': {
      get: {
        operationId: 'GetHealth',
        description:
          'Liveness of the plugin and a summary of its configuration (counts only, never credentials).',
        responses: {
          '200': {
            description: 'The plugin is up.',
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Health' },
              },
            },
          },
        },
        security: [{}],
      },
    },
  },
} as const;
