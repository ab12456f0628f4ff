/** The emulator kit adapters' tests share: ports, and routing requests to the right emulator. */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closedPort, closedPortUrl, EmulatorsByHost, EmulatorSwitch, freePort } from '@syncacross/sync-core/testing';

const answering = (body: string) => ({ handle: async () => new Response(body) });
const text = async (r: Response | Promise<Response>) => (await r).text();

describe('ports', () => {
  it('a closed port refuses connections at once', async () => {
    const port = await closedPort();
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => connect(port, '127.0.0.1').on('error', resolve));
    expect(error.code).toBe('ECONNREFUSED');
    expect(await closedPortUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('a free port is a valid port number', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});

describe('routing to emulators', () => {
  it('a switch answers with the emulator it was last given, and 502 before it has one', async () => {
    const emulators = new EmulatorSwitch<ReturnType<typeof answering>>();
    expect((await emulators.handle(new Request('https://x.test/'))).status).toBe(502);
    emulators.use(answering('first'));
    expect(await text(emulators.handle(new Request('https://x.test/')))).toBe('first');
    const second = emulators.use(answering('second'));
    expect(emulators.emulator).toBe(second);
    expect(await text(emulators.handle(new Request('https://x.test/')))).toBe('second');
  });

  it('each emulator gets a host of its own; an unknown host is answered 502', async () => {
    const emulators = new EmulatorsByHost('kit.test');
    const a = emulators.add(answering('a'));
    const b = emulators.add(answering('b'));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^https:\/\/[a-z0-9-]+\.kit\.test\/$/);
    expect(await text(emulators.handle(new Request(`${a}files`)))).toBe('a');
    expect(await text(emulators.handle(new Request(`${b}files`)))).toBe('b');
    expect((await emulators.handle(new Request('https://nobody.kit.test/'))).status).toBe(502);
  });
});
