/** An access token the SDK obtains by refresh while running is registered as a secret at once. */
import { afterEach, expect, it } from 'vitest';
import { redactSecrets } from '@syncacross/sync-core';
import { clearRegisteredSecrets } from '@syncacross/sync-core/testing';
import { createClient } from '../src/client.js';
import { optionsSchema } from '../src/options.js';

afterEach(() => clearRegisteredSecrets());

it('a refreshed access token is masked in every later message', () => {
  const client = createClient(optionsSchema.parse({}), { refreshToken: 'refresh-token-x', appKey: 'app' });
  // What DropboxAuth.refreshAccessToken does with the token endpoint's answer.
  client.auth.setAccessToken('SECRET-CANARY-dropbox-refreshed-42');
  expect(redactSecrets('Authorization header was SECRET-CANARY-dropbox-refreshed-42')).not.toContain('CANARY');
  expect(client.auth.getAccessToken()).toBe('SECRET-CANARY-dropbox-refreshed-42');
});
