import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The parts of a V8 `.cpuprofile` (as written by `node --cpu-prof`) that the summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const TOP_FUNCTIONS = Number(process.env.TOP ?? 25);

/** Self time per function (file:function:line), largest first, as percentages of the profile. */
function summarise(profile: CpuProfile): { name: string; selfMs: number; percent: number }[] {
  const names = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const file = callFrame.url.startsWith('file://')
      ? relative(process.cwd(), new URL(callFrame.url).pathname)
      : callFrame.url;
    names.set(id, `${file || '(native)'}:${callFrame.functionName || '(anonymous)'}:${callFrame.lineNumber + 1}`);
  }
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const name = names.get(nodeId) ?? '?';
    const deltaUs = profile.timeDeltas[i] ?? 0;
    selfUs.set(name, (selfUs.get(name) ?? 0) + deltaUs);
    if (!name.includes('(idle)')) totalUs += deltaUs;
  });
  return [...selfUs.entries()]
    .filter(([name]) => !name.includes('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / totalUs }));
}

for (const path of process.argv.slice(2)) {
  const rows = summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  process.stdout.write(`\n${path}\n`);
  for (const row of rows.slice(0, TOP_FUNCTIONS)) {
    process.stdout.write(
      `${row.percent.toFixed(1).padStart(5)}%  ${row.selfMs.toFixed(0).padStart(6)} ms  ${row.name}\n`,
    );
  }
}
