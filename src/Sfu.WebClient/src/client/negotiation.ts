// Offer and answer over the hub, one step at a time: our own offers (with the back-off that
// makes the browser the polite peer when both sides offer at once) and answers to the
// server's offers.
import { HubMethods } from '../contracts';
import { hubErrorReason } from '../hub-errors';
import type { ClientContext } from './context';
import type { PeerLink } from './peer-link';

/**
 * Every negotiation step runs on one promise chain, so a burst of server offers, our own
 * offers and rejoins after a reconnect never interleave. When both sides offer at once the
 * server answers our offer with a "glare" error; we roll back, apply the server's offer and
 * offer again afterwards.
 */
export class Negotiator {
  private chain: Promise<void> = Promise.resolve();
  private offerQueued: Promise<void> | null = null;
  private offerTimer: ReturnType<typeof setTimeout> | undefined;
  private holdOffersUntil = 0;
  private glareCount = 0;
  private completed = 0;
  private staleOffers = 0;

  constructor(
    private readonly ctx: ClientContext,
    private readonly peer: PeerLink,
  ) {}

  /** How many offer/answer exchanges completed. */
  get negotiations(): number {
    return this.completed;
  }

  /** Queues a step behind every earlier negotiation step; a failed step does not stop later ones. */
  enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Queues one client offer unless one is already queued and not yet started. */
  requestOffer(): Promise<void> {
    if (this.offerQueued !== null) {
      return this.offerQueued;
    }
    const queued = this.enqueue(async () => {
      this.offerQueued = null;
      await this.offerStep();
    });
    this.offerQueued = queued;
    return queued;
  }

  /** Requests an offer now, or once a glare back-off has passed. */
  scheduleOffer(): void {
    if (this.ctx.closed || this.offerTimer !== undefined) {
      return;
    }
    const wait = this.holdOffersUntil - performance.now();
    if (wait <= 0) {
      this.requestOffer().catch((e: unknown) => this.ctx.report('publishing an offer', e));
      return;
    }
    this.offerTimer = setTimeout(() => {
      this.offerTimer = undefined;
      this.requestOffer().catch((e: unknown) => this.ctx.report('publishing an offer', e));
    }, wait);
  }

  /**
   * Queues our answer to an offer the server sent; a failure is reported. An offer made for
   * another session than the one current when its turn comes (we have joined again since)
   * describes a peer connection that is gone and is dropped.
   */
  answerServerOffer(sdp: string, session: string | undefined): void {
    this.enqueue(async () => {
      if (session !== undefined && session !== this.ctx.participantId) {
        this.staleOffers++;
        return;
      }
      await this.applyServerOffer(sdp);
    }).catch((e: unknown) => this.ctx.report('answering a server offer', e));
  }

  /** Server offers dropped because they belonged to an earlier session. */
  get droppedStaleOffers(): number {
    return this.staleOffers;
  }

  /** The peer connection was replaced: an offer queued for the old one no longer stands for the next. */
  forgetQueuedOffer(): void {
    this.offerQueued = null;
  }

  /** Drops an offer waiting out a glare back-off (the client is closing). */
  cancelScheduledOffer(): void {
    clearTimeout(this.offerTimer);
    this.offerTimer = undefined;
  }

  private async offerStep(): Promise<void> {
    const pc = this.peer.current;
    if (pc === null || pc.signalingState !== 'stable' || this.ctx.closed) {
      return;
    }
    await pc.setLocalDescription();
    const offer = pc.localDescription?.sdp;
    if (offer === undefined) {
      throw new Error('the browser produced no offer');
    }
    let answer: string;
    try {
      answer = await this.ctx.hub.invoke<string>(HubMethods.offer, offer);
    } catch (error) {
      if (pc === this.peer.current && isGlare(error)) {
        // The server's own offer is in flight and wins: we are the polite peer. Roll back;
        // the server offer is (or soon will be) queued behind us, and we offer again after
        // a growing pause so a late-arriving server offer gets its turn first.
        await pc.setLocalDescription({ type: 'rollback' });
        this.glareCount++;
        this.holdOffersUntil = performance.now() + Math.min(2000, 50 * 2 ** this.glareCount);
        this.scheduleOffer();
        return;
      }
      throw error;
    }
    if (pc !== this.peer.current) {
      return;
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    this.completed++;
    this.glareCount = 0;
  }

  private async applyServerOffer(sdp: string): Promise<void> {
    const pc = this.peer.current;
    if (pc === null || this.ctx.closed) {
      return;
    }
    if (pc.signalingState === 'have-local-offer') {
      // Only reachable if an offer of ours was left pending; polite peer: drop it.
      await pc.setLocalDescription({ type: 'rollback' });
    }
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription();
    const answer = pc.localDescription?.sdp;
    if (answer === undefined) {
      throw new Error('the browser produced no answer');
    }
    await this.ctx.hub.invoke(HubMethods.answer, answer);
    this.completed++;
    this.glareCount = 0;
    // Our own change (rolled back by glare) can go now instead of waiting out the back-off.
    this.holdOffersUntil = 0;
    if (this.offerTimer !== undefined) {
      clearTimeout(this.offerTimer);
      this.offerTimer = undefined;
      this.scheduleOffer();
    }
  }
}

/** The hub rejects a client offer with a message starting "glare" while its own offer is pending. */
function isGlare(error: unknown): boolean {
  return /^glare/i.test(hubErrorReason(error));
}
