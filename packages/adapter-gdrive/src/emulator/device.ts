/**
 * Google's OAuth 2.0 device flow ("OAuth 2.0 for TV and Limited-Input Device Applications",
 * https://developers.google.com/identity/protocols/oauth2/limited-input-device), as the emulator
 * plays it:
 * - `POST /device/code` (client_id, scope) answers `device_code`, `user_code`, `expires_in`
 *   (1800), `interval` (5) and `verification_url` (Google's spelling; RFC 8628 says
 *   `verification_uri`). Only some scopes may be asked for: drive.file and drive.appdata among
 *   Drive's, not the full `drive` scope (`invalid_scope`).
 * - The token endpoint, polled with `grant_type=urn:ietf:params:oauth:grant-type:device_code`,
 *   answers 428 `authorization_pending` until the user acts, 403 `slow_down` when polled faster
 *   than `interval` (which then grows by 5 s, RFC 8628 §3.5), 403 `access_denied` when the user
 *   refused, 400 `expired_token` once the code expired.
 * - `GET /device?user_code=…[&action=deny]` stands for the user entering the code on the
 *   verification page and allowing (or denying) access; `answer()` does the same for tests.
 */
import { randomBytes } from 'node:crypto';
import { json } from './responses.js';

export interface DeviceFlowEmulatorOptions {
  /** The polling interval the emulator asks for. Default 5 s, like Google's. */
  deviceIntervalSeconds?: number;
  /** How long a device code lives. Default 1800 s, like Google's. */
  deviceCodeSeconds?: number;
  now?: () => number;
}

const AUTH = 'https://www.googleapis.com/auth/';
/** The Drive scopes Google's device flow grants, with the sign-in ones. */
const DEVICE_FLOW_SCOPES = new Set(['openid', 'email', 'profile', `${AUTH}drive.file`, `${AUTH}drive.appdata`, `${AUTH}userinfo.email`, `${AUTH}userinfo.profile`]);

interface PendingDevice {
  userCode: string;
  clientId: string;
  scope: string;
  status: 'pending' | 'approved' | 'denied';
  expiresAt: number;
  intervalMs: number;
  lastPollAt: number;
}

export type DevicePoll = { status: 'approved'; clientId: string; scope: string } | { status: 'pending' | 'slow_down' | 'denied' | 'expired' | 'unknown' };

const letters = (n: number) =>
  Array.from(randomBytes(n), (b) => 'BCDFGHJKLMNPQRSTVWXZ'[b % 20])
    .join('')
    .replace(/^(.{4})/, '$1-');

export class DeviceAuthorizations {
  readonly stats = { codes: 0, polls: 0, slowDowns: 0 };
  private readonly devices = new Map<string, PendingDevice>();
  private readonly now: () => number;

  constructor(private readonly options: DeviceFlowEmulatorOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async issue(request: Request, origin: string): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const scopes = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!form.get('client_id')) return json({ error: 'invalid_client', error_description: 'The OAuth client was not found.' }, 401);
    const refused = scopes.find((s) => !DEVICE_FLOW_SCOPES.has(s));
    if (scopes.length === 0 || refused) return json({ error: 'invalid_scope', error_description: `Invalid device flow scope: ${refused ?? ''}` }, 400);
    const deviceCode = `AH-1${randomBytes(24).toString('base64url')}`;
    const expiresIn = this.options.deviceCodeSeconds ?? 1800;
    const interval = this.options.deviceIntervalSeconds ?? 5;
    const userCode = letters(8);
    this.devices.set(deviceCode, {
      userCode,
      clientId: form.get('client_id')!,
      scope: scopes.join(' '),
      status: 'pending',
      expiresAt: this.now() + expiresIn * 1000,
      intervalMs: interval * 1000,
      lastPollAt: this.now(),
    });
    this.stats.codes++;
    return json({ device_code: deviceCode, user_code: userCode, expires_in: expiresIn, interval, verification_url: `${origin}/device` });
  }

  /** The user typed `userCode` on the verification page and allowed or denied access. */
  answer(userCode: string, answer: 'approve' | 'deny'): boolean {
    for (const d of this.devices.values()) {
      if (d.userCode === userCode.toUpperCase() && d.status === 'pending') {
        d.status = answer === 'approve' ? 'approved' : 'denied';
        return true;
      }
    }
    return false;
  }

  /** The verification page: `?user_code=…` allows, with `&action=deny` refuses. */
  page(url: URL): Response {
    const ok = this.answer(url.searchParams.get('user_code') ?? '', url.searchParams.get('action') === 'deny' ? 'deny' : 'approve');
    return new Response(ok ? 'Success! The device is now connected (emulator).\n' : 'Invalid code. Check the code and try again.\n', { status: ok ? 200 : 400 });
  }

  poll(deviceCode: string, clientId: string): DevicePoll {
    this.stats.polls++;
    const d = this.devices.get(deviceCode);
    if (!d || d.clientId !== clientId) return { status: 'unknown' };
    const now = this.now();
    if (now >= d.expiresAt) {
      this.devices.delete(deviceCode);
      return { status: 'expired' };
    }
    const early = now - d.lastPollAt < d.intervalMs;
    d.lastPollAt = now;
    if (early) {
      this.stats.slowDowns++;
      d.intervalMs += 5000;
      return { status: 'slow_down' };
    }
    if (d.status === 'pending') return { status: 'pending' };
    this.devices.delete(deviceCode);
    return d.status === 'denied' ? { status: 'denied' } : { status: 'approved', clientId: d.clientId, scope: d.scope };
  }
}
