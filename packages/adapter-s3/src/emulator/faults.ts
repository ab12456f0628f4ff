/**
 * Failures the emulator can be told to answer with, the way S3 answers them: throttling (503
 * SlowDown, optionally with Retry-After), internal errors (500), auth failures (403), concurrent
 * conditional-write conflicts (409), and CompleteMultipartUpload's 200 OK carrying an `<Error>`
 * body. A fault can fire before the operation (nothing happened) or after it committed (the
 * client sees an error although the write landed: the "unknown outcome" case).
 */
import { FaultRules, type FaultRuleBase } from '@syncacross/sync-core/emulator-kit';

export type S3Operation =
  | 'CreateBucket'
  | 'HeadBucket'
  | 'ListObjectsV2'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload';

export type FaultKind = 'SlowDown' | 'InternalError' | 'ServiceUnavailable' | 'AccessDenied' | 'ConditionalRequestConflict' | 'ErrorIn200';

export interface FaultSpec extends FaultRuleBase {
  kind: FaultKind;
  /** Only these operations (default: all). */
  operations?: S3Operation[];
  /** Only keys matching (default: all). */
  key?: string | RegExp;
  /** Retry-After header value to send with SlowDown / ServiceUnavailable (seconds or HTTP date). */
  retryAfter?: string;
  /** Answer the error only after the operation took effect. */
  afterCommit?: boolean;
}

export interface FaultStatus {
  readonly spec: FaultSpec;
  /** How many requests it hit so far. */
  readonly fired: number;
}

export const FAULT_RESPONSES: Record<FaultKind, { status: number; code: string; message: string }> = {
  SlowDown: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  ServiceUnavailable: { status: 503, code: 'ServiceUnavailable', message: 'Service is unable to handle request.' },
  InternalError: { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
  AccessDenied: { status: 403, code: 'AccessDenied', message: 'Access Denied' },
  ConditionalRequestConflict: { status: 409, code: 'ConditionalRequestConflict', message: 'A conflicting conditional operation is currently in progress against this resource. Please try again.' },
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html: "a 200 OK
  // response can contain either a success or an error".
  ErrorIn200: { status: 200, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
};

interface FaultRequest {
  operation: S3Operation;
  key: string | undefined;
  stage: 'before' | 'after';
}

function matches(spec: FaultSpec, { operation, key, stage }: FaultRequest): boolean {
  if (Boolean(spec.afterCommit) !== (stage === 'after')) return false;
  if (spec.operations && !spec.operations.includes(operation)) return false;
  if (spec.key !== undefined) {
    if (key === undefined) return false;
    if (typeof spec.key === 'string' ? spec.key !== key : !spec.key.test(key)) return false;
  }
  return spec.kind !== 'ErrorIn200' || operation === 'CompleteMultipartUpload';
}

/** S3's fault specs on the shared counting and chance of `FaultRules`. */
export class FaultInjector {
  private readonly rules: FaultRules<FaultSpec, FaultRequest>;

  constructor(random: () => number = Math.random) {
    this.rules = new FaultRules(matches, random);
  }

  /** Adds a fault; returns a live view of how often it fired. */
  inject(spec: FaultSpec): FaultStatus {
    const injected = this.rules.inject(spec);
    return {
      spec,
      get fired() {
        return injected.fired;
      },
    };
  }

  clear(): void {
    this.rules.clear();
  }

  /** The fault to answer this request with at this stage, if any (and counts it). */
  take(operation: S3Operation, key: string | undefined, stage: 'before' | 'after'): FaultSpec | undefined {
    return this.rules.take({ operation, key, stage });
  }
}
