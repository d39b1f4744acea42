import {
  HubEvents,
  HubMethods,
  LeaveBeaconPath,
  type ChatMessage,
  type JoinResult,
  type MediaState,
  type MeetingSnapshot,
  type ParticipantInfo,
  type ResumeResult,
  type TrackInfo,
} from './contracts';
import { connectionState, type ConnectionStateChange } from './client/connection-state';
import { ClientContext } from './client/context';
import type { SfuClientEvents } from './client/events';
import type { HubLink } from './client/hub-link';
import { IncomingVideo } from './client/incoming-video';
import { LocalMedia } from './client/local-media';
import { Meeting } from './client/meeting';
import { Negotiator } from './client/negotiation';
import type { SfuClientOptions } from './client/options';
import { PeerLink } from './client/peer-link';
import { RemoteParticipants } from './client/remote-participants';
import { ScreenShare } from './client/screen-share';

export type { ConnectionStateChange, OverallState, SignalingState } from './client/connection-state';
export { DeviceUnavailableError } from './client/device-errors';
export type { RemoteTrackEvent, SfuClientEvents } from './client/events';
export type { SfuClientOptions } from './client/options';

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
  private readonly ctx: ClientContext;
  private readonly events: ClientContext['events'];
  private readonly hub: HubLink;
  private readonly remote: RemoteParticipants;
  private readonly meeting: Meeting;
  private readonly peer: PeerLink;
  private readonly negotiator: Negotiator;
  private readonly local: LocalMedia;
  private readonly screen: ScreenShare;
  private readonly incoming: IncomingVideo;
  private room: string | null = null;
  private displayName: string | null = null;
  private resumeToken: string | null = null;

  constructor(options: SfuClientOptions = {}) {
    this.ctx = new ClientContext(
      options,
      () => this.state,
      () => {
        // A reconnected SignalR connection is a new connection to the server: take our place
        // back with the resume token (media never stopped), or join again if that fails.
        this.negotiator.enqueue(() => this.recover()).catch((e: unknown) => this.ctx.report('recovering after a reconnect', e));
      },
    );
    this.events = this.ctx.events;
    this.hub = this.ctx.hub;
    this.remote = new RemoteParticipants(this.ctx);
    this.meeting = new Meeting(this.ctx);
    this.peer = new PeerLink(this.ctx, {
      track: (e) => {
        if (this.remote.addTrack(e)) {
          this.incoming.follow(e);
        }
      },
      negotiationNeeded: () => this.negotiator.scheduleOffer(),
      failed: (pc) => {
        this.negotiator.enqueue(() => this.rejoinAfterFailure(pc)).catch((e: unknown) => this.ctx.report('rejoining', e));
      },
    });
    this.negotiator = new Negotiator(this.ctx, this.peer);
    const publish = (): Promise<void> => this.publishMediaState();
    this.local = new LocalMedia(this.ctx, options, publish);
    this.screen = new ScreenShare(this.ctx, this.peer, this.local, publish);
    this.incoming = new IncomingVideo(this.ctx, this.peer);

    this.hub.on(HubEvents.participantJoined, (p: ParticipantInfo) => this.remote.add(p));
    this.hub.on(HubEvents.participantLeft, (id: string) => this.remote.remove(id));
    this.hub.on(HubEvents.trackAdded, (t: TrackInfo) => this.events.emit('trackAdded', t));
    this.hub.on(HubEvents.trackRemoved, (t: TrackInfo) => this.events.emit('trackRemoved', t));
    this.hub.on(HubEvents.offer, (sdp: string) => this.negotiator.answerServerOffer(sdp));

    this.hub.on(HubEvents.chatReceived, (m: ChatMessage) => this.events.emit('chat', m));
    this.hub.on(HubEvents.mediaStateChanged, (m: MediaState) => this.events.emit('mediaState', m));
    this.hub.on(HubEvents.dominantSpeakerChanged, (id: string | null) => this.events.emit('dominantSpeaker', id));
    this.hub.on(HubEvents.removed, (reason: string) => {
      void this.onRemoved(reason);
    });
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof SfuClientEvents>(event: K, handler: (payload: SfuClientEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  /** Our participant id, assigned by the server on join. */
  get participantId(): string | null {
    return this.ctx.participantId;
  }

  /** The peer connection of the current session (null before join and after close); tests read getStats() from it. */
  get pc(): RTCPeerConnection | null {
    return this.peer.current;
  }

  /** How many offer/answer exchanges completed; mute and device switches must not add any. */
  get negotiations(): number {
    return this.negotiator.negotiations;
  }

  /** How many ICE restarts this client asked for. */
  get iceRestarts(): number {
    return this.peer.iceRestarts;
  }

  /** Our camera and microphone, once join has obtained them. */
  get localStream(): MediaStream | null {
    return this.local.stream;
  }

  /** Our screen share while it runs. */
  get screenTrack(): MediaStreamTrack | null {
    return this.screen.track;
  }

  /** Remote participants currently in the room, by id. */
  get participants(): ReadonlyMap<string, ParticipantInfo> {
    return this.remote.participants;
  }

  /** Remote participants' streams, by participant id. */
  get remoteStreams(): ReadonlyMap<string, MediaStream> {
    return this.remote.remoteStreams;
  }

  /** The current summary of signaling and peer connection state. */
  get state(): ConnectionStateChange {
    return connectionState(this.ctx.closed, this.room !== null, this.hub.signaling, this.peer.current);
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
    await this.hub.start();

    let result: JoinResult | undefined;
    await this.negotiator.enqueue(async () => {
      result = await this.startSession(room, displayName);
    });
    if (result === undefined) {
      throw new Error('join did not complete');
    }
    await this.negotiator.requestOffer();
    return result;
  }

  /** Our own microphone, camera and screen state. */
  get mediaState(): MediaState {
    return { participantId: this.participantId ?? '', mic: this.local.micOn, camera: this.local.cameraOn, screen: this.screen.track !== null };
  }

  /** Sends a chat line to the room; rejects with the server's reason (e.g. too long). */
  sendChat(text: string): Promise<void> {
    return this.meeting.sendChat(text);
  }

  /**
   * Microphone on or off without renegotiation: a disabled track makes the sender send
   * silence (audio level 127, so the server's speaker detection sees it too). Turning it on
   * when no microphone is open (none was found at join) opens one first; if that fails the
   * microphone stays off and the promise rejects with the reason.
   */
  setMicEnabled(on: boolean): Promise<void> {
    return this.local.setMicEnabled(on);
  }

  /**
   * Camera on or off without renegotiation: off detaches the track from the sender
   * (replaceTrack(null), frames stop at the others) and releases the device; on captures
   * the chosen camera again and hands it to the same sender. Rejects with
   * DeviceUnavailableError (the camera stays off) when it cannot be opened.
   */
  setCameraEnabled(on: boolean): Promise<void> {
    return this.local.setCameraEnabled(on);
  }

  /** Switches camera or microphone while the call goes on (replaceTrack, no renegotiation). */
  switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    return this.local.switchDevice(kind, deviceId);
  }

  /** The cameras and microphones the browser offers (labels need the permission join obtained). */
  devices(): Promise<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }> {
    return this.local.devices();
  }

  /** The device id behind our current microphone or camera track (or the camera chosen while it is off). */
  currentDeviceId(media: 'audio' | 'video'): string | undefined {
    return this.local.currentDeviceId(media);
  }

  /**
   * Shares the screen as an extra video track: a new transceiver, so a renegotiation. Ends
   * by itself when the browser's own "stop sharing" ends the track.
   */
  startScreenShare(): Promise<void> {
    return this.screen.start();
  }

  /** Stops the screen share; the transceiver stops sending (renegotiated) and the others drop it. */
  stopScreenShare(): Promise<void> {
    return this.screen.stop();
  }

  /**
   * For a page that is going away: leaves at once through a beacon (which outlives the page)
   * so the others do not wait out the reconnect grace; then closes.
   */
  leaveOnUnload(): void {
    if (this.resumeToken !== null && !this.ctx.closed) {
      navigator.sendBeacon(LeaveBeaconPath, this.resumeToken);
      this.resumeToken = null;
    }
    void this.close();
  }

  private publishMediaState(): Promise<void> {
    return this.meeting.publish(this.mediaState);
  }

  private applySnapshot(snapshot: MeetingSnapshot): void {
    this.resumeToken = snapshot.resumeToken;
    this.meeting.apply(snapshot);
  }

  /**
   * Restarts ICE on the current peer connection (RFC 8445 §9): new credentials on both sides,
   * negotiated like any other change, while DTLS, SRTP and every track go on. The client does
   * this by itself when ICE stays disconnected; a connection that fails outright is replaced
   * by a clean rejoin instead.
   */
  restartIce(): void {
    this.peer.restartIce();
  }

  /** Whether other participants' video reaches us (see setIncomingVideo). */
  get receivingVideo(): boolean {
    return this.incoming.receiving;
  }

  /**
   * Stops or restarts other participants' video toward us, audio untouched: for a hidden tab,
   * or to save bandwidth. The server stops forwarding (no renegotiation, the tiles keep their
   * last frame) and on the way back resumes each track on a fresh keyframe. Video that arrives
   * later follows the same choice.
   */
  setIncomingVideo(on: boolean): Promise<void> {
    return this.incoming.set(on);
  }

  /** Leaves the room and releases the camera, microphone and connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.ctx.closed) {
      return;
    }
    this.ctx.closed = true;
    this.negotiator.cancelScheduledOffer();
    if (this.hub.connected) {
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
    if (this.ctx.closed) {
      return;
    }
    this.ctx.closed = true;
    this.events.emit('removed', { reason });
    await this.release();
  }

  private async release(): Promise<void> {
    this.negotiator.cancelScheduledOffer();
    this.closePeer();
    this.local.release();
    await this.hub.stop();
    this.ctx.emitState();
  }

  // ---- session -------------------------------------------------------------------------

  /** Join, create the peer connection and add our media (runs on the chain). */
  private async startSession(room: string, displayName: string): Promise<JoinResult> {
    const result = await this.hub.invoke<JoinResult>(HubMethods.join, room, displayName);
    this.ctx.participantId = result.participantId;
    // Created before getUserMedia so a server offer that arrives early can be answered.
    const pc = this.peer.open();
    for (const p of result.participants) {
      if (p.id !== result.participantId) {
        this.remote.add(p);
      }
    }

    const stream = await this.local.open();
    if (pc !== this.peer.current) {
      return result;
    }
    this.local.attach(pc, stream);
    this.screen.reset();
    this.applySnapshot(await this.hub.invoke<MeetingSnapshot>(HubMethods.meetingState));
    await this.publishMediaState();
    return result;
  }

  /**
   * After signaling came back: Resume keeps our identity and our media (which never
   * depended on signaling) so the others see nothing; a failed peer connection or an
   * expired session means a clean rejoin instead.
   */
  private async recover(): Promise<void> {
    if (this.ctx.closed || this.room === null) {
      return;
    }
    const pcAlive = this.peer.current !== null && this.peer.current.connectionState !== 'failed' && this.peer.current.connectionState !== 'closed';
    if (this.resumeToken !== null && pcAlive) {
      try {
        const result = await this.hub.invoke<ResumeResult>(HubMethods.resume, this.resumeToken);
        this.remote.reconcile(result.participants);
        this.applySnapshot(result.meeting);
        await this.publishMediaState();
        this.events.emit('recovered', 'resumed');
        return;
      } catch (error) {
        this.ctx.report('resuming the session (joining again instead)', error);
      }
    }
    await this.rejoin();
  }

  /** A peer connection that failed cannot carry media again: leave and join afresh. */
  private async rejoinAfterFailure(pc: RTCPeerConnection): Promise<void> {
    if (pc !== this.peer.current || this.ctx.closed) {
      return;
    }
    try {
      await this.hub.invoke(HubMethods.leave);
    } catch {
      // The server may have removed us already.
    }
    await this.rejoin();
  }

  private async rejoin(): Promise<void> {
    if (this.ctx.closed || this.room === null || this.displayName === null) {
      return;
    }
    this.closePeer();
    this.remote.removeAll();
    this.resumeToken = null;
    await this.startSession(this.room, this.displayName);
    this.negotiator.scheduleOffer();
    this.events.emit('recovered', 'rejoined');
  }

  private closePeer(): void {
    this.peer.close();
    this.negotiator.forgetQueuedOffer();
    this.remote.dropAllStreams();
  }
}
