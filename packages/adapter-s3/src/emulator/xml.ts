/**
 * The few XML shapes the S3 REST API speaks, written and read by hand: S3's XML is flat and
 * regular, and a dependency-free emulator is easier to trust than one behind a parser.
 */
import { randomBytes } from 'node:crypto';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unescapeXml(value: string): string {
  return value.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e]!;
  });
}

/** `<Name>value</Name>` elements, in order; nested elements are written by the caller. */
export function element(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function document(root: string, inner: string): string {
  return `${DECLARATION}<${root} xmlns="${S3_NS}">${inner}</${root}>`;
}

export const newRequestId = () => randomBytes(8).toString('hex').toUpperCase();

/**
 * S3's error body. AWS sends `<Error>` without a namespace, with Code, Message, RequestId and
 * HostId plus error-specific fields (e.g. `<Condition>` on 412, `<Header>` on 501).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
export function errorXml(code: string, message: string, extra: Record<string, string> = {}, requestId = newRequestId()): string {
  const fields = Object.entries(extra)
    .map(([k, v]) => element(k, v))
    .join('');
  return `${DECLARATION}<Error>${element('Code', code)}${element('Message', message)}${fields}${element('RequestId', requestId)}${element('HostId', randomBytes(24).toString('base64'))}</Error>`;
}

/** Every `<tag>…</tag>` block's inner text (non-nested tags only). */
export function allElements(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1]!);
  return out;
}

export function firstElement(xml: string, tag: string): string | undefined {
  const found = allElements(xml, tag)[0];
  return found === undefined ? undefined : unescapeXml(found.trim());
}
