import type { JsonValue } from '@herald/client';
import type { ReactNode } from 'react';

/** A JSON document, pretty-printed. */
export function JsonView({ value }: { value: JsonValue }): ReactNode {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
