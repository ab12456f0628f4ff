/**
 * Masks what looks like a secret even when nobody registered it: SDK errors quote request URLs,
 * form bodies, JSON bodies and headers (the Dropbox SDK's "request to …/oauth2/token?grant_type=
 * refresh_token&refresh_token=… failed"). Names are matched loosely (any name containing token,
 * secret, password, signature, credential, api key…) because a false positive costs a `***` in a
 * message, and a false negative leaks an account.
 */

const MASK = '***';

/** Parameter and field names whose values are secret. */
const SECRET_NAME = String.raw`[\w.-]*?(?:token|secret|passw(?:or)?d|pwd|signature|credential|api[_-]?key|access[_-]?key|auth[_-]?code|code[_-]?verifier|session[_-]?key)[\w.-]*`;

/** Names that contain a secret-sounding word but carry none (OAuth consent and token answers). */
const NOT_SECRET = new Set(['token_type', 'token_access_type', 'grant_type', 'response_type', 'token_endpoint', 'code_challenge', 'code_challenge_method']);
const keep = (name: string, masked: string, original: string) => (NOT_SECRET.has(name.toLowerCase()) ? original : masked);

/** A `${env:NAME}` reference names where a secret lives; it is not one, and is shown as is. */
const NOT_REFERENCE = String.raw`(?!\$\{env:)`;

const RULES: ReadonlyArray<[RegExp, (...m: string[]) => string]> = [
  // URL query and form bodies: ?refresh_token=…&client_secret=…, X-Amz-Signature=…
  [new RegExp(String.raw`(^|[?&;\s"'(,])(${SECRET_NAME})=${NOT_REFERENCE}([^&\s"'<>#;,)]+)`, 'gi'), (all, pre, name) => keep(name, `${pre}${name}=${MASK}`, all)],
  // Short names only count as query parameters: ?key=…, &sig=…, ?code=… (an OAuth code).
  [/([?&])(key|sig|code)=([^&\s"'<>#]+)/gi, (_, pre, name) => `${pre}${name}=${MASK}`],
  // JSON fields, also when the JSON sits escaped inside another string: "access_token":"…"
  [new RegExp(String.raw`(\\*")(${SECRET_NAME}|authorization|cookie)(\\*"\s*:\s*\\*")${NOT_REFERENCE}([^"\\]+)`, 'gi'), (all, q1, name, mid) => keep(name, `${q1}${name}${mid}${MASK}`, all)],
  // Objects as util.inspect prints them: refresh_token: 'xyz'
  [new RegExp(String.raw`\b(${SECRET_NAME}|authorization)(\s*:\s*')${NOT_REFERENCE}([^'\\]+)`, 'gi'), (all, name, mid) => keep(name, `${name}${mid}${MASK}`, all)],
  // Authorization headers by scheme (Bearer, Basic, AWS4-HMAC-SHA256 Credential=…, Signature=…).
  [/\b(Bearer|Basic|Digest|Negotiate|AWS4-HMAC-SHA256)\s+[A-Za-z0-9._~+/=:,-]{8,}/g, (_, scheme) => `${scheme} ${MASK}`],
  // Header-shaped credentials: X-Amz-Security-Token: …, x-api-key: …, Cookie: …
  [/\b(x-amz-security-token|x-api-key|x-auth-token|cookie|set-cookie)(\s*[:=]\s*)([^\s,;"']{8,})/gi, (_, name, sep) => `${name}${sep}${MASK}`],
  // Credentials inside a URL: https://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+:)([^\s/@"']+)@/gi, (_, pre) => `${pre}${MASK}@`],
];

export function scrubSecretPatterns(text: string): string {
  let out = text;
  for (const [re, replace] of RULES) out = out.replace(re, replace as (...m: string[]) => string);
  return out;
}
