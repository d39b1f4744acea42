// Whether the other participants' video comes to us. The server pauses and resumes each
// track (SetReceiving by mid), so a change needs no renegotiation; audio is never paused.
import { HubMethods } from '../contracts';
import type { ClientContext } from './context';
import type { PeerLink } from './peer-link';

export class IncomingVideo {
  private on = true;

  /** @param resumed called after video was turned back on (the sizes we show it at are sent again) */
  constructor(
    private readonly ctx: ClientContext,
    private readonly peer: PeerLink,
    private readonly resumed: () => void = () => undefined,
  ) {}

  /** False: paused at the server. */
  get receiving(): boolean {
    return this.on;
  }

  async set(on: boolean): Promise<void> {
    if (on === this.on) {
      return;
    }
    this.on = on;
    const pc = this.peer.current;
    // A closing client has sent Leave already (a closing tab turns hidden after pagehide):
    // the server no longer knows this connection.
    if (pc === null || this.ctx.closed || !this.ctx.hub.connected) {
      return;
    }
    const mids = pc
      .getTransceivers()
      .filter((t) => t.receiver.track.kind === 'video' && t.currentDirection === 'recvonly' && t.mid !== null)
      .map((t) => t.mid as string);
    await Promise.all(mids.map((mid) => this.ctx.hub.invoke(HubMethods.setReceiving, mid, on)));
    if (on) {
      this.resumed();
    }
  }

  /** A video track that arrives while video is paused is paused too. */
  follow(e: RTCTrackEvent): void {
    const mid = e.transceiver.mid;
    if (!this.on && !this.ctx.closed && e.track.kind === 'video' && mid !== null) {
      this.ctx.hub.invoke(HubMethods.setReceiving, mid, false).catch((error: unknown) => this.ctx.report('pausing incoming video', error));
    }
  }
}
