/** A parsed HTTP answer: status, headers and the JSON body (undefined when there is none). */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Options of `requestJson`. */
export interface JsonRequest {
  method?: string;
  /** Sent as JSON unless it is already a string (to send malformed bodies verbatim). */
  body?: unknown;
  headers?: Record<string, string>;
  token?: string;
}

/** Makes one HTTP request against a test server and parses its JSON answer. */
export async function requestJson<T = unknown>(url: string, request: JsonRequest = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined) headers['content-type'] ??= 'application/json';
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  const response = await fetch(url, {
    method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(request.body === undefined
      ? {}
      : { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
  };
}
