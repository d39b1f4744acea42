// Getting our place back. After signaling reconnects, Resume with the token keeps our
// identity and our media (which never depended on signaling), so the others see nothing; when
// that fails, or the peer connection failed, the client leaves and joins afresh.
import { HubMethods, type ResumeResult } from '../contracts';
import type { ClientContext } from './context';
import type { Session, SessionParts } from './session';

/**
 * Joining again after a failed peer connection backs off: 1 s, doubling up to 30 s, each
 * delay drawn between half and all of that (full jitter would allow 0, which is what looped),
 * so a server that fails every connection fast is not hammered by every page at once.
 */
export const RejoinBackoff = { firstMs: 1000, capMs: 30_000, attempts: 8 } as const;

/** The delay before rejoin attempt `attempt` (1-based), with `random` in [0, 1). */
export function rejoinDelay(attempt: number, random: number): number {
  const ceiling = Math.min(RejoinBackoff.capMs, RejoinBackoff.firstMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export class Recovery {
  private failures = 0;
  private rejoinTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The connection whose failure was counted last: one connection is one failure, however
   * often it reports 'failed' before its rejoin (queued behind a join still under way) replaces it.
   */
  private lastFailed: RTCPeerConnection | null = null;

  constructor(
    private readonly ctx: ClientContext,
    private readonly session: Session,
    private readonly parts: SessionParts,
  ) {}

  /** SignalR reconnected: a new connection, which the server must be told who we are. */
  afterReconnect(): void {
    this.parts.negotiator.enqueue(() => this.recover()).catch((e: unknown) => this.ctx.report('recovering after a reconnect', e));
  }

  /**
   * A peer connection that failed cannot carry media again: leave and join afresh, after a
   * back-off that grows with each failure in a row; after too many the client gives up.
   */
  afterPeerFailure(pc: RTCPeerConnection): void {
    if (pc !== this.parts.peer.current || pc === this.lastFailed || this.ctx.closed || this.rejoinTimer !== undefined) {
      return;
    }
    this.lastFailed = pc;
    this.failures++;
    if (this.failures > RejoinBackoff.attempts) {
      const reason = `The media connection failed ${RejoinBackoff.attempts} times in a row; reload the page to try again.`;
      this.ctx.events.emit('gaveUp', { reason });
      void this.session.close();
      return;
    }
    const delayMs = rejoinDelay(this.failures, Math.random());
    this.ctx.report('media connection', new Error(`the peer connection failed; joining again in ${Math.ceil(delayMs / 1000)} s`));
    this.ctx.events.emit('rejoining', { attempt: this.failures, delayMs });
    this.rejoinTimer = setTimeout(() => {
      this.rejoinTimer = undefined;
      this.parts.negotiator.enqueue(() => this.rejoinAfterFailure(pc)).catch((e: unknown) => {
        // Giving up closes the client while this rejoin may still be under way: its failure
        // is that close, and reporting it would replace the reason the person was given.
        if (!this.ctx.closed) {
          this.ctx.report('rejoining', e);
        }
      });
    }, delayMs);
  }

  /** The media connection works: the next failure starts the back-off from the beginning. */
  connected(): void {
    this.failures = 0;
  }

  /** The client is closing: a rejoin waiting out its back-off does not happen. */
  cancel(): void {
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = undefined;
  }

  private async recover(): Promise<void> {
    if (this.ctx.closed || !this.session.joined) {
      return;
    }
    const pc = this.parts.peer.current;
    const pcAlive = pc !== null && pc.connectionState !== 'failed' && pc.connectionState !== 'closed';
    const token = this.session.resumeToken;
    if (token !== null && pcAlive) {
      try {
        const result = await this.ctx.hub.invoke<ResumeResult>(HubMethods.resume, token);
        this.parts.remote.reconcile(result.participants);
        this.session.applySnapshot(result.meeting);
        await this.parts.publish();
        this.ctx.events.emit('recovered', 'resumed');
        return;
      } catch (error) {
        this.ctx.report('resuming the session (joining again instead)', error);
      }
    }
    await this.rejoin();
  }

  private async rejoinAfterFailure(pc: RTCPeerConnection): Promise<void> {
    if (pc !== this.parts.peer.current || this.ctx.closed) {
      return;
    }
    try {
      await this.ctx.hub.invoke(HubMethods.leave);
    } catch {
      // The server may have removed us already.
    }
    await this.rejoin();
  }

  private async rejoin(): Promise<void> {
    if (await this.session.rejoin()) {
      this.ctx.events.emit('recovered', 'rejoined');
    }
  }
}
