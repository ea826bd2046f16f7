/** The parts of an OpenAPI 3.1 document the contract test reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
  schema?: { examples?: unknown[] };
}

interface MediaType {
  schema?: object;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

/** One operation of the document. */
export interface Operation {
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

/** A request built from an operation's documented examples. */
export interface ExampleRequest {
  method: string;
  /** The document's path, e.g. `/v1/streams/{stream}/events`. */
  route: string;
  /** The concrete URL path and query. */
  url: string;
  headers: Record<string, string>;
  /** The JSON body text, when the operation takes one. */
  body?: string;
  operation: Operation;
}

function exampleOf(parameter: Parameter): unknown {
  return parameter.example ?? Object.values(parameter.examples ?? {})[0]?.value ?? parameter.schema?.examples?.[0];
}

function mediaExamples(media: MediaType): unknown[] {
  if (media.examples) return Object.values(media.examples).map((example) => example.value);
  return media.example === undefined ? [] : [media.example];
}

/**
 * Every documented example request of the document: one per request-body example (or one per
 * operation without a body), with each parameter's example filled in. Parameters without an
 * example are left out; a required one without an example is a gap in the document, and throws,
 * unless it is one of `computedHeaders`, which the caller computes per request (a signature).
 */
export function exampleRequests(document: OpenApiDocument, computedHeaders: readonly string[] = []): ExampleRequest[] {
  const requests: ExampleRequest[] = [];
  for (const [route, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      let path = route;
      const query = new URLSearchParams();
      const headers: Record<string, string> = {};
      for (const parameter of operation.parameters ?? []) {
        const value = exampleOf(parameter);
        if (value === undefined) {
          const isComputed = parameter.in === 'header' && computedHeaders.includes(parameter.name);
          if (parameter.required && !isComputed)
            throw new Error(`${method} ${route}: required ${parameter.name} has no example`);
          continue;
        }
        if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
        else if (parameter.in === 'query') {
          // OpenAPI's default query style (form, exploded): a list repeats the parameter.
          for (const item of Array.isArray(value) ? value : [value]) query.append(parameter.name, String(item));
        } else headers[parameter.name] = String(value);
      }
      const url = query.size === 0 ? path : `${path}?${query}`;
      const json = operation.requestBody?.content['application/json'];
      const bodies = json === undefined ? [undefined] : mediaExamples(json);
      if (bodies.length === 0) throw new Error(`${method} ${route}: the request body has no example`);
      for (const body of bodies) {
        requests.push({
          method: method.toUpperCase(),
          route,
          url,
          headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          operation,
        });
      }
    }
  }
  return requests;
}
