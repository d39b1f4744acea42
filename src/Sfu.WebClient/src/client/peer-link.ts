// The one RTCPeerConnection to the SFU: a new one per session, watched for ICE trouble and
// for failure. Events of a connection that has been replaced or closed are ignored.
import type { ClientContext } from './context';

/** How long ICE may stay disconnected before the client restarts it. */
const IceRestartAfterMs = 3000;

export interface PeerLinkEvents {
  /** A track arrived on the current peer connection. */
  track(event: RTCTrackEvent): void;
  /** The current peer connection has a change to offer. */
  negotiationNeeded(): void;
  /** The current peer connection failed (already reported); it cannot carry media again. */
  failed(pc: RTCPeerConnection): void;
  /** The current peer connection reached 'connected'. */
  connected(pc: RTCPeerConnection): void;
}

export class PeerLink {
  private pc: RTCPeerConnection | null = null;
  private iceRestartTimer: ReturnType<typeof setTimeout> | undefined;
  private restarts = 0;

  constructor(
    private readonly ctx: ClientContext,
    private readonly events: PeerLinkEvents,
  ) {}

  /** The peer connection of the current session (null before join and after close). */
  get current(): RTCPeerConnection | null {
    return this.pc;
  }

  /** How many ICE restarts this client asked for. */
  get iceRestarts(): number {
    return this.restarts;
  }

  /** Creates the peer connection of a new session; it becomes the current one. */
  open(): RTCPeerConnection {
    // The server is ICE-lite with one host candidate: no STUN/TURN servers, one transport.
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] });
    pc.ontrack = (e) => {
      if (pc === this.pc) {
        this.events.track(e);
      }
    };
    pc.onnegotiationneeded = () => {
      if (pc === this.pc) {
        this.events.negotiationNeeded();
      }
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) {
        return;
      }
      this.ctx.emitState();
      if (pc.connectionState === 'connected') {
        this.events.connected(pc);
      }
      if (pc.connectionState === 'failed') {
        this.events.failed(pc);
      }
    };
    pc.oniceconnectionstatechange = () => {
      if (pc !== this.pc) {
        return;
      }
      this.ctx.emitState();
      clearTimeout(this.iceRestartTimer);
      this.iceRestartTimer = undefined;
      if (pc.iceConnectionState === 'disconnected') {
        // Checks stopped getting through (a network change, a sleeping laptop): if that
        // lasts, restart ICE on the same connection before it fails outright.
        this.iceRestartTimer = setTimeout(() => {
          this.iceRestartTimer = undefined;
          if (pc === this.pc && pc.iceConnectionState === 'disconnected') {
            this.restartIce();
          }
        }, IceRestartAfterMs);
      }
    };
    this.pc = pc;
    this.ctx.emitState();
    return pc;
  }

  /** Closes the current peer connection, if any. */
  close(): void {
    const pc = this.pc;
    this.pc = null;
    clearTimeout(this.iceRestartTimer);
    this.iceRestartTimer = undefined;
    if (pc !== null) {
      pc.ontrack = null;
      pc.onnegotiationneeded = null;
      pc.close();
    }
  }

  /**
   * Restarts ICE on the current peer connection (RFC 8445 §9): new credentials on both sides,
   * negotiated like any other change, while DTLS, SRTP and every track go on.
   */
  restartIce(): void {
    if (this.pc !== null && !this.ctx.closed) {
      this.restarts++;
      this.pc.restartIce();
    }
  }
}
