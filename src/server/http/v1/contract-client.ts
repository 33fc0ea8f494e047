import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./generated/api-schema";
import spec from "./generated/openapi.json";

/*
 * Tests: the generated client (openapi-fetch over the committed spec's types) with a middleware
 * that validates every answer — successes and errors alike — against the schema the committed
 * spec documents for that path, method, status and content type, and records what was covered.
 */

type SpecOperation = { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> };
const specPaths = (spec as unknown as { paths: Record<string, Record<string, SpecOperation>> }).paths;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(spec as object, "openapi.json");

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

export type Observation = { operationId: string; status: number };

export function createContractClient(baseUrl: string, apiKey: string) {
  const observed: Observation[] = [];
  const problems: string[] = [];
  const middleware: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const method = request.method.toLowerCase();
      const operation = specPaths[schemaPath]?.[method];
      if (!operation) {
        problems.push(`${request.method} ${schemaPath}: not in the spec`);
        return undefined;
      }
      observed.push({ operationId: operation.operationId, status: response.status });
      const documented = operation.responses[String(response.status)];
      if (!documented) {
        problems.push(`${operation.operationId} answered ${response.status}, which the spec does not document`);
        return undefined;
      }
      const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
      if (!documented.content?.[contentType]) {
        problems.push(`${operation.operationId} ${response.status}: content type ${contentType} not documented`);
        return undefined;
      }
      const body = (await response.clone().json()) as unknown;
      const validate = ajv.getSchema(`openapi.json#/${pointer("paths", schemaPath, method, "responses", String(response.status), "content", contentType, "schema")}`);
      if (!validate) {
        problems.push(`${operation.operationId} ${response.status}: no schema`);
        return undefined;
      }
      if (!validate(body)) problems.push(`${operation.operationId} ${response.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
      for (const header of ["x-request-id", "tally-version"]) if (!response.headers.get(header)) problems.push(`${operation.operationId} ${response.status}: no ${header} header`);
      return undefined;
    },
  };
  const client = createClient<paths>({ baseUrl: `${baseUrl}/api/v1`, headers: { authorization: `Bearer ${apiKey}` } });
  client.use(middleware);
  return { client, observed, problems, operationIds: Object.values(specPaths).flatMap((item) => Object.values(item).map((operation) => operation.operationId)) };
}
