/** Option parsing: every bad field named in one InvalidConfig, and never a secret value. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseOptions } from '@syncacross/sync-core/adapter-kit';

const schema = z
  .object({
    url: z.url(),
    password: z.string().min(12).optional(),
    concurrency: z.number().int().min(1).default(8),
  })
  .strict()
  .refine((o) => o.password === undefined || !o.url.includes(o.password), { message: 'a custom message quoting the input would be wrong' });

describe('parseOptions', () => {
  it('returns the parsed options with their defaults', () => {
    expect(parseOptions('demo', schema, { url: 'https://x.test/' })).toEqual({ url: 'https://x.test/', concurrency: 8 });
  });

  it('names every bad field, and unknown ones, in one InvalidConfig', () => {
    let error: unknown;
    try {
      parseOptions('demo', schema, { url: 'not a url', concurrency: 0, colour: 'blue' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'InvalidConfig' });
    const message = (error as Error).message;
    expect(message).toMatch(/^demo: invalid options: /);
    for (const field of ['url', 'concurrency', 'colour']) expect(message).toContain(field);
  });

  it('never prints a value given for an option, even if a message quotes it', () => {
    const secret = 'hunter2-but-long';
    const bad = z.object({ password: z.string().refine((p) => p.length > 99, { message: `too short: ${secret}` }) });
    expect(() => parseOptions('demo', bad, { password: secret })).toThrow(/<redacted>/);
    expect(() => parseOptions('demo', bad, { password: secret })).not.toThrow(new RegExp(secret));
    expect(() => parseOptions('demo', schema, { url: 'https://x.test/', password: 1234 })).not.toThrow(/1234/);
  });
});
