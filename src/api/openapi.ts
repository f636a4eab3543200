/**
 * The OpenAPI 3.1 document (api), generated from the same route declarations and zod
 * schemas that validate requests (`z.toJSONSchema`), served at `/api/v1/openapi.json`.
 */
import { z } from 'zod';
import { ERROR_CATALOGUE } from '../core/errors.js';
import type { ApiRoute } from './route.js';
import { errorBodySchema } from './schemas.js';

export const API_PREFIX = '/api/v1';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out['$schema'];
  return out;
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const objectSchema = jsonSchema(schema, 'input');
  const properties = (objectSchema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((objectSchema['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, propertySchema]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: propertySchema,
  }));
}

/** `/decisions/:id` → `/decisions/{id}`. */
export function openApiPath(url: string): string {
  return API_PREFIX + url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function errorStatuses(route: ApiRoute): number[] {
  const statuses = [400, 500];
  if (route.access !== 'public') statuses.push(401, 403);
  if (route.url.includes(':')) statuses.push(404);
  if (route.body) statuses.push(413, 415);
  if (route.url === '/auth/login') statuses.push(429);
  return [...new Set(statuses)].sort();
}

function operationOf(route: ApiRoute): JsonSchema {
  const status = String(route.response.status ?? 200);
  const success: JsonSchema = { description: route.response.description ?? 'Success' };
  if (route.response.schema || route.response.contentType) {
    const schema = route.response.schema ? jsonSchema(route.response.schema, 'output') : {};
    success['content'] = { [route.response.contentType ?? 'application/json']: { schema } };
  }
  const responses: JsonSchema = { [status]: success };
  for (const errorStatus of errorStatuses(route)) {
    responses[String(errorStatus)] = { $ref: '#/components/responses/Error' };
  }
  const operation: JsonSchema = {
    operationId: `${route.method.toLowerCase()}${route.url.replace(/[/:]+([a-z])/g, (_m, c: string) => c.toUpperCase())}`,
    summary: route.summary,
    tags: [route.tag],
    parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
    responses,
    'x-ensuresec-access': route.access,
  };
  if (route.body) {
    operation['requestBody'] = {
      required: true,
      content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
    };
  }
  operation['security'] = route.access === 'public' ? [] : [{ bearerToken: [] }, { sessionCookie: [] }];
  return operation;
}

export function buildOpenApiDocument(routes: ApiRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ensuresec API',
      version,
      description: 'The one door to Ensuresec: the CLI, the dashboard, partners and remote gateways use it.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token `ens_…`.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'ensuresec_session' },
      },
      schemas: { ErrorBody: jsonSchema(errorBodySchema, 'output') },
      responses: {
        Error: {
          description: `An error; \`error.code\` is one of: ${Object.keys(ERROR_CATALOGUE).join(', ')}.`,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        },
      },
    },
  };
}
