/**
 * The config a running watch reads at each round (config.ts, liveConfig): a change is seen at the
 * next question, however it was written, and an unchanged file is not read and parsed again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveConfig, writeConfig, type LibraryConfig } from '../src/config.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

const config: LibraryConfig = { version: 1, remote: 'fs:/somewhere', adapter: 'fs', options: { root: '/somewhere' }, exclude: ['*.iso'] };

describe('liveConfig', () => {
  it('answers what config.json says now, reading it again only when it changed', async () => {
    const dir = await tempDir();
    await writeConfig(dir, config);
    const live = liveConfig(dir, config);
    const first = live();
    expect(first.exclude).toEqual(['*.iso']);
    expect(live()).toBe(first); // not read and parsed again

    await writeConfig(dir, { ...config, exclude: ['*.iso', '*.tmp'] }); // as `exclude add` writes it: a rename
    expect(live().exclude).toEqual(['*.iso', '*.tmp']);

    const file = join(dir, '.syncacross', 'config.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('*.tmp', '*.bak')); // by hand, in place, the same size
    expect(live().exclude).toEqual(['*.iso', '*.bak']);

    writeFileSync(file, '{ "version": 1, "rem'); // an editor halfway through saving it
    expect(live().exclude).toEqual(['*.iso', '*.bak']);
  });
});
