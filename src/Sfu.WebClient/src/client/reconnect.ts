// Getting our place back. After signaling reconnects, Resume with the token keeps our
// identity and our media (which never depended on signaling), so the others see nothing; when
// that fails, or the peer connection failed, the client leaves and joins afresh.
import { HubMethods, type ResumeResult } from '../contracts';
import type { ClientContext } from './context';
import type { Session, SessionParts } from './session';

export class Recovery {
  constructor(
    private readonly ctx: ClientContext,
    private readonly session: Session,
    private readonly parts: SessionParts,
  ) {}

  /** SignalR reconnected: a new connection, which the server must be told who we are. */
  afterReconnect(): void {
    this.parts.negotiator.enqueue(() => this.recover()).catch((e: unknown) => this.ctx.report('recovering after a reconnect', e));
  }

  /** A peer connection that failed cannot carry media again: leave and join afresh. */
  afterPeerFailure(pc: RTCPeerConnection): void {
    this.parts.negotiator.enqueue(() => this.rejoinAfterFailure(pc)).catch((e: unknown) => this.ctx.report('rejoining', e));
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
