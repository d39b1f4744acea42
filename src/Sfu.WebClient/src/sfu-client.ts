import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from '@microsoft/signalr';
import { HubEvents, HubMethods, HubPath, type JoinResult, type ParticipantInfo, type TrackInfo } from './contracts';
import { Emitter } from './emitter';

/** The signaling connection's state as the UI sees it. */
export type SignalingState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** One summary word for a status line, derived from signaling and the peer connection. */
export type OverallState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface ConnectionStateChange {
  readonly overall: OverallState;
  readonly signaling: SignalingState;
  readonly peer: RTCPeerConnectionState;
  readonly ice: RTCIceConnectionState;
}

/** A remote track arrived; `stream` groups all of that participant's tracks. */
export interface RemoteTrackEvent {
  readonly participantId: string;
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
}

export interface SfuClientEvents {
  /** Our camera and microphone were captured. */
  localStream: MediaStream;
  /** Someone else is in the room (also fired for everyone already there when we join). */
  participantJoined: ParticipantInfo;
  /** Someone left; their stream (if any) was removed just before. */
  participantLeft: { readonly participantId: string; readonly displayName: string | undefined };
  /** A remote track was added to a participant's stream (fires once per track). */
  remoteTrack: RemoteTrackEvent;
  /** A participant's stream has no tracks left, or the participant left. */
  remoteStreamRemoved: { readonly participantId: string };
  /** The server announced a published track (informational; media arrives via remoteTrack). */
  trackAdded: TrackInfo;
  trackRemoved: TrackInfo;
  connectionState: ConnectionStateChange;
  /** The server ended our session (an operator removed us, media timed out); the client is closed. */
  removed: { readonly reason: string };
  /** Something failed that the client could not handle by itself. */
  error: Error;
}

export interface SfuClientOptions {
  /** Where the hub is mapped; defaults to /hubs/sfu on the page's origin. */
  readonly hubUrl?: string;
  /** What getUserMedia asks for; defaults to audio plus 640x360 video. */
  readonly media?: MediaStreamConstraints;
  /** SignalR client logging; defaults to warnings. */
  readonly logLevel?: LogLevel;
}

const defaultMedia: MediaStreamConstraints = {
  audio: true,
  video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } },
};

/**
 * All signaling and RTCPeerConnection logic for one participant, apart from any UI.
 *
 * The browser opens one RTCPeerConnection to the SFU. It publishes its camera and microphone
 * with a client-initiated offer, and receives other participants' media through offers the
 * server initiates. Every negotiation step runs on one promise chain, so a burst of server
 * offers, our own offers and rejoins after a reconnect never interleave. When both sides offer
 * at once the browser is the polite peer: the server answers our offer with a "glare" error,
 * we roll back, apply the server's offer and offer again afterwards.
 */
export class SfuClient {
  private readonly events = new Emitter<SfuClientEvents>();
  private readonly hub: HubConnection;
  private readonly media: MediaStreamConstraints;
  private readonly remote = new Map<string, MediaStream>();
  private readonly members = new Map<string, ParticipantInfo>();

  private chain: Promise<void> = Promise.resolve();
  private offerQueued: Promise<void> | null = null;
  private offerTimer: ReturnType<typeof setTimeout> | undefined;
  private holdOffersUntil = 0;
  private glareCount = 0;
  private signaling: SignalingState = 'disconnected';
  private room: string | null = null;
  private displayName: string | null = null;
  private closed = false;

  /** The peer connection of the current session (null before join and after close); tests read getStats() from it. */
  pc: RTCPeerConnection | null = null;
  /** Our camera and microphone, once join has obtained them. */
  localStream: MediaStream | null = null;
  /** Our participant id, assigned by the server on join. */
  participantId: string | null = null;

  constructor(options: SfuClientOptions = {}) {
    this.media = options.media ?? defaultMedia;
    this.hub = new HubConnectionBuilder()
      .withUrl(options.hubUrl ?? HubPath)
      .withAutomaticReconnect()
      .configureLogging(options.logLevel ?? LogLevel.Warning)
      .build();

    this.hub.on(HubEvents.participantJoined, (p: ParticipantInfo) => this.addMember(p));
    this.hub.on(HubEvents.participantLeft, (id: string) => this.removeMember(id));
    this.hub.on(HubEvents.trackAdded, (t: TrackInfo) => this.events.emit('trackAdded', t));
    this.hub.on(HubEvents.trackRemoved, (t: TrackInfo) => this.events.emit('trackRemoved', t));
    // Never return the chain's promise to SignalR: the handler only queues the step.
    this.hub.on(HubEvents.offer, (sdp: string) => {
      this.enqueue(() => this.applyServerOffer(sdp)).catch((e: unknown) => this.report('answering a server offer', e));
    });

    this.hub.on(HubEvents.removed, (reason: string) => {
      void this.onRemoved(reason);
    });
    this.hub.onreconnecting(() => this.setSignaling('reconnecting'));
    this.hub.onreconnected(() => {
      this.setSignaling('connected');
      // A reconnected SignalR connection is a new connection to the server, which has
      // dropped our old session: join again with a fresh peer connection.
      this.enqueue(() => this.rejoin()).catch((e: unknown) => this.report('rejoining after a reconnect', e));
    });
    this.hub.onclose((error) => {
      this.setSignaling('disconnected');
      if (error !== undefined && !this.closed) {
        this.report('signaling connection closed', error);
      }
    });
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof SfuClientEvents>(event: K, handler: (payload: SfuClientEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  /** Remote participants currently in the room, by id. */
  get participants(): ReadonlyMap<string, ParticipantInfo> {
    return this.members;
  }

  /** Remote participants' streams, by participant id. */
  get remoteStreams(): ReadonlyMap<string, MediaStream> {
    return this.remote;
  }

  /** The current summary of signaling and peer connection state. */
  get state(): ConnectionStateChange {
    return {
      overall: this.overall(),
      signaling: this.signaling,
      peer: this.pc?.connectionState ?? 'new',
      ice: this.pc?.iceConnectionState ?? 'new',
    };
  }

  /**
   * Connects signaling, joins the room, captures camera and microphone and publishes them.
   * Resolves once the server has answered our first offer.
   */
  async join(room: string, displayName: string): Promise<JoinResult> {
    if (this.room !== null) {
      throw new Error('join was already called');
    }
    this.room = room;
    this.displayName = displayName;
    this.setSignaling('connecting');
    await this.hub.start();
    this.setSignaling('connected');

    let result: JoinResult | undefined;
    await this.enqueue(async () => {
      result = await this.startSession(room, displayName);
    });
    if (result === undefined) {
      throw new Error('join did not complete');
    }
    await this.requestOffer();
    return result;
  }

  /** Leaves the room and releases the camera, microphone and connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearTimeout(this.offerTimer);
    if (this.hub.state === HubConnectionState.Connected) {
      try {
        await this.hub.invoke(HubMethods.leave);
      } catch {
        // Leaving is best effort: the server also notices the connection closing.
      }
    }
    await this.release();
  }

  /** The server has already taken us out of the room: release everything and do not rejoin. */
  private async onRemoved(reason: string): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.events.emit('removed', { reason });
    await this.release();
  }

  private async release(): Promise<void> {
    clearTimeout(this.offerTimer);
    this.closePeer();
    for (const track of this.localStream?.getTracks() ?? []) {
      track.stop();
    }
    this.localStream = null;
    await this.hub.stop();
    this.emitState();
  }

  // ---- session -------------------------------------------------------------------------

  /** Join, create the peer connection and add our media (runs on the chain). */
  private async startSession(room: string, displayName: string): Promise<JoinResult> {
    const result = await this.hub.invoke<JoinResult>(HubMethods.join, room, displayName);
    this.participantId = result.participantId;
    // Created before getUserMedia so a server offer that arrives early can be answered.
    const pc = this.createPeer();
    for (const p of result.participants) {
      if (p.id !== result.participantId) {
        this.addMember(p);
      }
    }

    if (this.localStream === null) {
      this.localStream = await navigator.mediaDevices.getUserMedia(this.media);
      this.events.emit('localStream', this.localStream);
    }
    if (pc !== this.pc) {
      return result;
    }
    const stream = this.localStream;
    for (const track of stream.getTracks()) {
      pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    }
    return result;
  }

  private async rejoin(): Promise<void> {
    if (this.closed || this.room === null || this.displayName === null) {
      return;
    }
    this.closePeer();
    for (const id of [...this.members.keys()]) {
      this.removeMember(id);
    }
    await this.startSession(this.room, this.displayName);
    this.scheduleOffer();
  }

  private createPeer(): RTCPeerConnection {
    // The server is ICE-lite with one host candidate: no STUN/TURN servers, one transport.
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] });
    pc.ontrack = (e) => this.onTrack(pc, e);
    pc.onnegotiationneeded = () => {
      if (pc === this.pc) {
        this.scheduleOffer();
      }
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) {
        return;
      }
      this.emitState();
      if (pc.connectionState === 'failed') {
        this.report('media connection', new Error('the peer connection failed'));
      }
    };
    pc.oniceconnectionstatechange = () => {
      if (pc === this.pc) {
        this.emitState();
      }
    };
    this.pc = pc;
    this.emitState();
    return pc;
  }

  private closePeer(): void {
    const pc = this.pc;
    this.pc = null;
    this.offerQueued = null;
    if (pc !== null) {
      pc.ontrack = null;
      pc.onnegotiationneeded = null;
      pc.close();
    }
    for (const id of [...this.remote.keys()]) {
      this.dropRemote(id);
    }
  }

  // ---- negotiation ---------------------------------------------------------------------

  /** Queues a step behind every earlier negotiation step; a failed step does not stop later ones. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Queues one client offer unless one is already queued and not yet started. */
  private requestOffer(): Promise<void> {
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
  private scheduleOffer(): void {
    if (this.closed || this.offerTimer !== undefined) {
      return;
    }
    const wait = this.holdOffersUntil - performance.now();
    if (wait <= 0) {
      this.requestOffer().catch((e: unknown) => this.report('publishing an offer', e));
      return;
    }
    this.offerTimer = setTimeout(() => {
      this.offerTimer = undefined;
      this.requestOffer().catch((e: unknown) => this.report('publishing an offer', e));
    }, wait);
  }

  private async offerStep(): Promise<void> {
    const pc = this.pc;
    if (pc === null || pc.signalingState !== 'stable' || this.closed) {
      return;
    }
    await pc.setLocalDescription();
    const offer = pc.localDescription?.sdp;
    if (offer === undefined) {
      throw new Error('the browser produced no offer');
    }
    let answer: string;
    try {
      answer = await this.hub.invoke<string>(HubMethods.offer, offer);
    } catch (error) {
      if (pc === this.pc && isGlare(error)) {
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
    if (pc !== this.pc) {
      return;
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    this.glareCount = 0;
  }

  private async applyServerOffer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (pc === null || this.closed) {
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
    await this.hub.invoke(HubMethods.answer, answer);
    this.glareCount = 0;
    // Our own change (rolled back by glare) can go now instead of waiting out the back-off.
    this.holdOffersUntil = 0;
    if (this.offerTimer !== undefined) {
      clearTimeout(this.offerTimer);
      this.offerTimer = undefined;
      this.scheduleOffer();
    }
  }

  // ---- remote media --------------------------------------------------------------------

  private onTrack(pc: RTCPeerConnection, e: RTCTrackEvent): void {
    const stream = e.streams[0];
    if (pc !== this.pc || stream === undefined) {
      // Without a stream (a=msid) a track has no owner to show it under.
      return;
    }
    // The server sets the a=msid stream id to the publishing participant's id.
    const participantId = stream.id;
    if (this.remote.get(participantId) !== stream) {
      this.remote.set(participantId, stream);
      stream.onremovetrack = () => {
        if (stream.getTracks().length === 0 && this.remote.get(participantId) === stream) {
          this.dropRemote(participantId);
        }
      };
    }
    this.events.emit('remoteTrack', { participantId, stream, track: e.track });
  }

  private dropRemote(participantId: string): void {
    const stream = this.remote.get(participantId);
    if (stream === undefined) {
      return;
    }
    stream.onremovetrack = null;
    this.remote.delete(participantId);
    this.events.emit('remoteStreamRemoved', { participantId });
  }

  private addMember(p: ParticipantInfo): void {
    if (p.id === this.participantId) {
      return;
    }
    this.members.set(p.id, p);
    this.events.emit('participantJoined', p);
  }

  private removeMember(participantId: string): void {
    const info = this.members.get(participantId);
    this.members.delete(participantId);
    this.dropRemote(participantId);
    this.events.emit('participantLeft', { participantId, displayName: info?.displayName });
  }

  // ---- state and errors ----------------------------------------------------------------

  private setSignaling(state: SignalingState): void {
    this.signaling = state;
    this.emitState();
  }

  private emitState(): void {
    this.events.emit('connectionState', this.state);
  }

  private overall(): OverallState {
    if (this.closed) {
      return 'closed';
    }
    switch (this.signaling) {
      case 'disconnected':
        return this.room === null ? 'idle' : 'closed';
      case 'connecting':
        return 'connecting';
      case 'reconnecting':
        return 'reconnecting';
      case 'connected':
        break;
    }
    switch (this.pc?.connectionState ?? 'new') {
      case 'connected':
        return 'connected';
      case 'failed':
        return 'failed';
      case 'disconnected':
        return 'reconnecting';
      case 'closed':
        return 'closed';
      default:
        return 'connecting';
    }
  }

  private report(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new Error(`${what}: ${message}`, { cause: error });
    console.error(wrapped);
    this.events.emit('error', wrapped);
  }
}

/** The hub rejects a client offer with a message starting "glare" while its own offer is pending. */
function isGlare(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  // SignalR prefixes hub errors: "An unexpected error occurred invoking 'Offer' on the server. HubException: glare ..."
  return /(^|: )glare/i.test(message);
}
