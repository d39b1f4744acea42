// The one RTCPeerConnection to the SFU: a new one per session, watched for ICE trouble and
// for failure. Events of a connection that has been replaced or closed are ignored.
import { HubMethods, type IceServerInfo } from '../contracts';
import type { ClientContext } from './context';

/** How long ICE may stay disconnected before the client restarts it. */
const IceRestartAfterMs = 3000;

/**
 * How long ICE may stay checking before the client gives up on direct paths (UDP, then TCP to
 * the media port) and restarts through TURN only: on loopback or a LAN checks succeed within
 * a second, over UDP or ICE-TCP alike.
 */
const RelayFallbackAfterMs = 6000;

/**
 * When to look at the stats again for the selected pair: a browser may reach 'connected'
 * before its stats name the selected pair (seen with both Chromium and Firefox under load).
 */
const SelectedPairRetryMs = [250, 500, 1000, 2000, 4000, 8000];

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
  private relayTimer: ReturnType<typeof setTimeout> | undefined;
  private relayReportTimer: ReturnType<typeof setTimeout> | undefined;
  private restarts = 0;
  private iceServers: RTCIceServer[] = [];
  private relayOnly = false;

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

  /** Whether media goes through TURN only, after direct paths failed. */
  get relayed(): boolean {
    return this.relayOnly;
  }

  /**
   * Creates the peer connection of a new session; it becomes the current one. The server is
   * ICE-lite with a UDP and a passive TCP host candidate; `iceServers` are the TURN servers of
   * the join result (none: no relay).
   */
  open(iceServers: readonly IceServerInfo[] = []): RTCPeerConnection {
    this.iceServers = iceServers.map((s) => ({ urls: [...s.urls], username: s.username, credential: s.credential }));
    const pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      iceServers: this.iceServers,
      iceTransportPolicy: this.relayOnly ? 'relay' : 'all',
    });
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
      this.watchForRelay(pc);
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') {
        clearTimeout(this.relayReportTimer);
        void this.reportRelayProtocol(pc, 0);
      }
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

  /**
   * The last rung of the ladder: when ICE stays checking too long or fails and TURN servers
   * are known, restart ICE allowing relayed candidates only, and say so. A connection that
   * failed is replaced by the session (rejoin); the next one is relay-only from the start.
   */
  private watchForRelay(pc: RTCPeerConnection): void {
    const state = pc.iceConnectionState;
    if (state !== 'checking') {
      clearTimeout(this.relayTimer);
      this.relayTimer = undefined;
    }
    if (this.relayOnly || this.iceServers.length === 0) {
      return;
    }
    if (state === 'failed') {
      this.fallBackToRelay(pc, 'the direct connection failed');
    } else if (state === 'checking' && this.relayTimer === undefined) {
      this.relayTimer = setTimeout(() => {
        this.relayTimer = undefined;
        if (pc === this.pc && pc.iceConnectionState === 'checking') {
          this.fallBackToRelay(pc, `no direct connection after ${RelayFallbackAfterMs / 1000} s`);
        }
      }, RelayFallbackAfterMs);
    }
  }

  private fallBackToRelay(pc: RTCPeerConnection, reason: string): void {
    this.relayOnly = true;
    this.ctx.events.emit('relayFallback', { reason });
    if (pc.connectionState !== 'failed' && pc.connectionState !== 'closed') {
      pc.setConfiguration({ ...pc.getConfiguration(), iceTransportPolicy: 'relay' });
      this.restartIce();
    }
  }

  /**
   * Tells the server how this browser reaches its TURN server when the selected pair is
   * relayed: the server sees only the relay's UDP, and its admin view names the leg behind it.
   * Until the stats name a selected pair (and a relayed one its leg), looks again a few times.
   */
  private async reportRelayProtocol(pc: RTCPeerConnection, attempt: number): Promise<void> {
    try {
      const local = selectedLocalCandidate(await pc.getStats());
      if (pc !== this.pc || this.ctx.closed) {
        return;
      }
      if (local === undefined || (local.candidateType === 'relay' && local.relayProtocol === undefined)) {
        if (attempt < SelectedPairRetryMs.length) {
          this.relayReportTimer = setTimeout(() => {
            this.relayReportTimer = undefined;
            void this.reportRelayProtocol(pc, attempt + 1);
          }, SelectedPairRetryMs[attempt]);
        }
        return;
      }
      if (local.candidateType === 'relay' && local.relayProtocol !== undefined) {
        await this.ctx.hub.invoke(HubMethods.reportRelayProtocol, local.relayProtocol);
      }
    } catch (error: unknown) {
      this.ctx.report('reporting the relay protocol', error);
    }
  }

  /** Closes the current peer connection, if any. */
  close(): void {
    const pc = this.pc;
    this.pc = null;
    clearTimeout(this.iceRestartTimer);
    this.iceRestartTimer = undefined;
    clearTimeout(this.relayTimer);
    this.relayTimer = undefined;
    clearTimeout(this.relayReportTimer);
    this.relayReportTimer = undefined;
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

/**
 * The local candidate of the selected pair: the transport's `selectedCandidatePairId`
 * (Chromium) or the pair marked `selected` (Firefox, which has no transport stats). Undefined
 * while the stats name no selected pair.
 */
function selectedLocalCandidate(report: RTCStatsReport): { candidateType?: string; relayProtocol?: string } | undefined {
  let pair: { localCandidateId?: string } | undefined;
  report.forEach((s: { type: string; selectedCandidatePairId?: string; selected?: boolean }) => {
    if (s.type === 'transport' && s.selectedCandidatePairId !== undefined) {
      pair = report.get(s.selectedCandidatePairId) as { localCandidateId?: string } | undefined;
    } else if (pair === undefined && s.type === 'candidate-pair' && s.selected === true) {
      pair = s as { localCandidateId?: string };
    }
  });
  return pair?.localCandidateId !== undefined
    ? (report.get(pair.localCandidateId) as { candidateType?: string; relayProtocol?: string } | undefined)
    : undefined;
}
