import { cloneCredential, createGqlClient, failureOf, newCredential } from './gql-client.js';
import { must, ops, type Ops } from './operations.js';
import { median, round } from './stats.js';

export interface RevocationWindow {
  trials: number;
  /** From sending `revoke` to A until B first refuses the credential. */
  medianMs: number;
  maxMs: number;
  /** From A's answer to the revoke until B refuses (0 when already refused on the first try). */
  afterAckMedianMs: number;
  afterAckMaxMs: number;
  /** Trials where B still accepted the credential after A had answered the revoke. */
  acceptedAfterAck: number;
  /** Trials where B never refused within the bound (should be 0). */
  neverRefused: number;
  refusedWith: string[];
}

const BOUND_MS = 5_000;

/**
 * A credential is used on B (so any cache there is warm), revoked on A, then presented to B
 * back to back until B refuses it: the time a stolen credential stays good elsewhere.
 */
export async function measureRevocationWindow(urlA: string, urlB: string, emails: readonly string[], trials: number): Promise<RevocationWindow> {
  const clientA = createGqlClient(urlA, 4);
  const clientB = createGqlClient(urlB, 4);
  try {
    return await trialsOn(ops(clientA), ops(clientB), emails, trials);
  } finally {
    clientA.close();
    clientB.close();
  }
}

async function trialsOn(a: Ops, b: Ops, emails: readonly string[], trials: number): Promise<RevocationWindow> {
  const windows: number[] = [];
  const afterAck: number[] = [];
  const reasons = new Set<string>();
  let acceptedAfterAck = 0;
  let neverRefused = 0;
  for (let i = 0; i < trials; i++) {
    const cred = newCredential(emails[i % emails.length]!);
    must(await a.login(cred), 'login on A');
    must(await b.sessions(cred), 'first use on B');
    const start = performance.now();
    const ack: { at: number | null } = { at: null };
    const revoking = a.revokeCurrent(cloneCredential(cred));
    void revoking.then(() => (ack.at = performance.now()));
    let refusedAt: number | null = null;
    let lateAccept = false;
    while (performance.now() - start < BOUND_MS) {
      const sentAt = performance.now();
      const failure = failureOf(await b.sessions(cred));
      if (failure) {
        refusedAt = performance.now();
        reasons.add(failure);
        break;
      }
      if (ack.at !== null && sentAt > ack.at) lateAccept = true;
    }
    if (lateAccept) acceptedAfterAck++;
    must(await revoking, 'revoke on A');
    if (refusedAt === null) {
      neverRefused++;
      continue;
    }
    windows.push(refusedAt - start);
    afterAck.push(Math.max(0, refusedAt - (ack.at ?? refusedAt)));
  }
  return {
    trials,
    medianMs: round(median(windows), 2),
    maxMs: round(Math.max(...windows), 2),
    afterAckMedianMs: round(median(afterAck), 2),
    afterAckMaxMs: round(Math.max(...afterAck), 2),
    acceptedAfterAck,
    neverRefused,
    refusedWith: [...reasons],
  };
}
