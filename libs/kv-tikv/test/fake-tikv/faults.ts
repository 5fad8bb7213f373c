/**
 * Fault injection rules: "the next N requests matching M get fault F". Rules are checked in the
 * order they were added; a matching rule with budget left fires and counts down.
 */
import { PdMethod, TikvMethod } from './types';

/** Region errors a TiKV store answers with instead of executing the request. */
export type RegionFault =
  /** Default: names the current leader; `leaderStoreId: null` = leader unknown; a store id = that (maybe stale) peer. */
  | { kind: 'NotLeader'; leaderStoreId?: bigint | number | null }
  | { kind: 'EpochNotMatch' }
  | { kind: 'RegionNotFound' }
  | { kind: 'KeyNotInRegion' }
  | { kind: 'ServerIsBusy'; backoffMs?: number }
  | { kind: 'StaleCommand' }
  /** TiKV 8: the proposal's fate is unknown (e.g. the leader stepped down before it applied). */
  | { kind: 'UndeterminedResult' }
  /** A store below its reserved space refused the write (not applied); default: names the leader's store. */
  | { kind: 'DiskFull'; storeIds?: readonly (bigint | number)[]; reason?: string };

/** Region errors a write can be answered with although it WAS applied (raft applied, reply lost in the shuffle). */
export type AfterApplyError = 'StaleCommand' | 'RegionNotFound' | 'UndeterminedResult';

/** Transport-level faults (work for PD and TiKV requests). */
export type TransportFault =
  /** gRPC UNAVAILABLE; the request is NOT applied. */
  | { kind: 'Unavailable' }
  /** The request IS applied, then the reply is lost (gRPC UNAVAILABLE): the undetermined case. */
  | { kind: 'LostReply' }
  /** Never answered; the caller's deadline (or the server stopping) ends the call. */
  | { kind: 'Hang' }
  /** Answered normally after `ms`. */
  | { kind: 'Delay'; ms: number }
  /** The request IS applied, then answered with a region error (a leader change between apply and reply). */
  | { kind: 'AppliedThen'; error: AfterApplyError };

/**
 * A KeyError `abort` instead of executing the request: TiKV puts every unclassified storage error
 * there (it is NOT a statement about the transaction's state). Prewrite gets it in `errors`.
 */
export type KeyErrorFault = { kind: 'Abort'; message?: string };

export type TikvFault = RegionFault | TransportFault | KeyErrorFault;
/** PD faults; NotLeader = a follower's answer even though the member leads. */
export type PdFault = TransportFault | { kind: 'NotLeader' };

export interface TikvRequestInfo {
  readonly method: TikvMethod;
  readonly storeId: bigint;
  readonly regionId: bigint;
  /** The decoded request (wire shape, see types.ts). */
  readonly request: unknown;
}

export interface PdRequestInfo {
  readonly method: PdMethod;
  /** Index of the PD member that received it. */
  readonly member: number;
  readonly request: unknown;
}

export interface TikvMatch {
  readonly method?: TikvMethod | readonly TikvMethod[];
  readonly storeId?: bigint | number;
  readonly regionId?: bigint | number;
  readonly when?: (info: TikvRequestInfo) => boolean;
}

export interface PdMatch {
  readonly method?: PdMethod | readonly PdMethod[];
  readonly member?: number;
  readonly when?: (info: PdRequestInfo) => boolean;
}

export interface FaultRule<F> {
  readonly fault: F;
  /** Firings left (Infinity = until removed). */
  remaining: number;
  /** Times it fired. */
  hits: number;
}

const methodMatches = <M extends string>(want: M | readonly M[] | undefined, got: M): boolean =>
  want === undefined || (typeof want === 'string' ? want === got : want.includes(got));

const idMatches = (want: bigint | number | undefined, got: bigint): boolean => want === undefined || BigInt(want) === got;

export function tikvMatches(m: TikvMatch, info: TikvRequestInfo): boolean {
  return (
    methodMatches(m.method, info.method) &&
    idMatches(m.storeId, info.storeId) &&
    idMatches(m.regionId, info.regionId) &&
    (m.when === undefined || m.when(info))
  );
}

export function pdMatches(m: PdMatch, info: PdRequestInfo): boolean {
  return methodMatches(m.method, info.method) && (m.member === undefined || m.member === info.member) && (m.when === undefined || m.when(info));
}

export class FaultPlan<I, M, F> {
  private rules: { match: M; rule: FaultRule<F> }[] = [];

  constructor(private readonly matches: (m: M, info: I) => boolean) {}

  add(match: M, fault: F, times = 1): FaultRule<F> {
    const rule: FaultRule<F> = { fault, remaining: times, hits: 0 };
    this.rules.push({ match, rule });
    return rule;
  }

  remove(rule: FaultRule<F>): void {
    this.rules = this.rules.filter((r) => r.rule !== rule);
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if a rule fires. */
  take(info: I): F | undefined {
    for (const { match, rule } of this.rules) {
      if (rule.remaining > 0 && this.matches(match, info)) {
        rule.remaining--;
        rule.hits++;
        if (rule.remaining === 0) this.remove(rule);
        return rule.fault;
      }
    }
    return undefined;
  }
}
