// autocannon ships no types; this declares the part of its API the harness uses.
declare module 'autocannon' {
  interface AutocannonRequest {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string | undefined;
    /** Called before each request is built; returns the request to send. */
    setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  }
  interface AutocannonOptions {
    url: string;
    connections: number;
    duration: number;
    requests: AutocannonRequest[];
  }
  interface AutocannonResult {
    requests: { average: number; total: number };
    latency: { p99: number };
    errors: number;
    timeouts: number;
  }
  interface AutocannonInstance extends PromiseLike<AutocannonResult> {
    on(event: 'response', listener: (client: unknown, statusCode: number) => void): void;
  }
  export default function autocannon(options: AutocannonOptions): AutocannonInstance;
}
