// How a sync grows with library size: 10k, 50k, 100k, 200k small files against a folder remote. The
// first upload, a sync with nothing changed, and one with a single file edited (what a watcher
// runs after each save: it must not cost the whole library).
import { join } from 'node:path';
import { appendFileSync, rmSync } from 'node:fs';
import { generateSmallFiles } from './library.mjs';
import { median } from './measure.mjs';
import { tools } from './tools.mjs';

export function runScaling(sizes, work) {
  const out = [];
  for (const files of sizes) {
    const base = join(work, `scaling-${files}`);
    const lib = join(base, 'lib');
    generateSmallFiles(lib, files);
    const remote = { kind: 'folder', dir: join(base, 'remote') };
    tools.syncacross.init(lib, remote);
    const first = tools.syncacross.upload(lib, remote);
    const samples = [0, 1, 2].map(() => tools.syncacross.upload(lib, remote));
    const edits = [0, 1, 2].map((i) => {
      appendFileSync(join(lib, '0000', `f${i}.txt`), ` edited ${i}`); // generateSmallFiles: 500 a folder
      return tools.syncacross.upload(lib, remote);
    });
    const row = {
      files,
      firstUploadS: first.wall,
      firstUploadRssMb: first.rssMb,
      wallS: median(samples.map((s) => s.wall)),
      requests: median(samples.map((s) => s.requests)),
      peakRssMb: median(samples.map((s) => s.rssMb)),
      oneEditS: median(edits.map((s) => s.wall)),
      oneEditRssMb: median(edits.map((s) => s.rssMb)),
    };
    console.log(JSON.stringify({ scaling: row }));
    out.push(row);
    rmSync(base, { recursive: true, force: true });
  }
  return out;
}
