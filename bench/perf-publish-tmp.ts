import { runHttpPublish } from './src/scenarios/http-publish.js';
const results = [];
for (let i = 0; i < 3; i++) results.push(await runHttpPublish('herald', 1, 8));
console.log(JSON.stringify(results));
