import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createOpenApiDocument } from '../src/openapi-document.js';

/** Where the committed copy of the document lives (docs/api.md links it). */
const TARGET = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

writeFileSync(TARGET, `${JSON.stringify(await createOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${TARGET}`);
