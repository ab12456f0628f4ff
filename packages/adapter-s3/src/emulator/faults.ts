/**
 * Failures the emulator can be told to answer with, the way S3 answers them: throttling (503
 * SlowDown, optionally with Retry-After), internal errors (500), auth failures (403), concurrent
 * conditional-write conflicts (409), and CompleteMultipartUpload's 200 OK carrying an `<Error>`
 * body. A fault can fire before the operation (nothing happened) or after it committed (the
 * client sees an error although the write landed: the "unknown outcome" case).
 */
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

export interface FaultSpec {
  kind: FaultKind;
  /** Only these operations (default: all). */
  operations?: S3Operation[];
  /** Only keys matching (default: all). */
  key?: string | RegExp;
  /** How many times it fires (default 1; Infinity for a storm). */
  times?: number;
  /** Chance that a matching request is hit (default 1). */
  probability?: number;
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

interface ActiveFault {
  spec: FaultSpec;
  fired: number;
}

export class FaultInjector {
  private readonly active: ActiveFault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a fault; returns a live view of how often it fired. */
  inject(spec: FaultSpec): FaultStatus {
    const fault: ActiveFault = { spec, fired: 0 };
    this.active.push(fault);
    return {
      spec,
      get fired() {
        return fault.fired;
      },
    };
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The fault to answer this request with at this stage, if any (and counts it). */
  take(operation: S3Operation, key: string | undefined, stage: 'before' | 'after'): FaultSpec | undefined {
    for (const f of this.active) {
      const { spec } = f;
      if (Boolean(spec.afterCommit) !== (stage === 'after')) continue;
      if (f.fired >= (spec.times ?? 1)) continue;
      if (spec.operations && !spec.operations.includes(operation)) continue;
      if (spec.key !== undefined) {
        if (key === undefined) continue;
        if (typeof spec.key === 'string' ? spec.key !== key : !spec.key.test(key)) continue;
      }
      if (spec.kind === 'ErrorIn200' && operation !== 'CompleteMultipartUpload') continue;
      if (spec.probability !== undefined && this.random() >= spec.probability) continue;
      f.fired++;
      return spec;
    }
    return undefined;
  }
}
