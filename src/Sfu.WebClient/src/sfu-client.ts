// The browser client SDK's one public class. It composes the parts in client/ (one concern
// each) and keeps the API the pages and the browser tests use.
import { HubEvents, HubMethods, type ChatMessage, type JoinResult, type MediaState, type ParticipantInfo, type RejectedSection, type TrackInfo } from './contracts';
import { connectionState, type ConnectionStateChange } from './client/connection-state';
import { ClientContext } from './client/context';
import type { SfuClientEvents } from './client/events';
import { IncomingVideo } from './client/incoming-video';
import { LocalMedia } from './client/local-media';
import { Meeting } from './client/meeting';
import { Negotiator } from './client/negotiation';
import type { SfuClientOptions } from './client/options';
import { PeerLink } from './client/peer-link';
import { Recovery } from './client/reconnect';
import { RemoteParticipants } from './client/remote-participants';
import { ScreenShare } from './client/screen-share';
import { Session, type SessionParts } from './client/session';
import { VideoSizes } from './client/video-sizes';

export type { ConnectionStateChange, OverallState, SignalingState } from './client/connection-state';
export { DeviceUnavailableError } from './client/device-errors';
export type { RemoteTrackEvent, SfuClientEvents } from './client/events';
export type { SfuClientOptions } from './client/options';

/**
 * All signaling and RTCPeerConnection logic for one participant, apart from any UI.
 *
 * The browser opens one RTCPeerConnection to the SFU. It publishes its camera and microphone
 * with a client-initiated offer, and receives other participants' media through offers the
 * server initiates; every offer and answer runs on one chain (client/negotiation.ts), with the
 * browser as the polite peer when both sides offer at once.
 */
export class SfuClient {
  private readonly ctx: ClientContext;
  private readonly peer: PeerLink;
  private readonly negotiator: Negotiator;
  private readonly remote: RemoteParticipants;
  private readonly local: LocalMedia;
  private readonly screen: ScreenShare;
  private readonly incoming: IncomingVideo;
  private readonly sizes: VideoSizes;
  private readonly meeting: Meeting;
  private readonly session: Session;
  private readonly recovery: Recovery;

  constructor(options: SfuClientOptions = {}) {
    // A reconnected SignalR connection is a new connection to the server: take our place
    // back with the resume token (media never stopped), or join again if that fails.
    this.ctx = new ClientContext(options, () => this.state, () => this.recovery.afterReconnect());
    this.peer = new PeerLink(this.ctx, {
      track: (e) => {
        if (this.remote.addTrack(e)) {
          this.incoming.follow(e);
        }
      },
      negotiationNeeded: () => this.negotiator.scheduleOffer(),
      failed: (pc) => this.recovery.afterPeerFailure(pc),
      connected: () => this.recovery.connected(),
    });
    this.negotiator = new Negotiator(this.ctx, this.peer);
    this.remote = new RemoteParticipants(this.ctx);
    this.meeting = new Meeting(this.ctx);
    const publish = (): Promise<void> => this.meeting.publish(this.mediaState);
    this.local = new LocalMedia(this.ctx, options, publish);
    this.screen = new ScreenShare(this.ctx, this.peer, this.local, publish);
    this.incoming = new IncomingVideo(this.ctx, this.peer, () => this.sizes.resendAll());
    this.sizes = new VideoSizes(this.ctx, this.peer, () => this.incoming.receiving);
    const parts: SessionParts = {
      peer: this.peer,
      negotiator: this.negotiator,
      remote: this.remote,
      local: this.local,
      screen: this.screen,
      meeting: this.meeting,
      publish,
    };
    this.session = new Session(this.ctx, parts);
    this.recovery = new Recovery(this.ctx, this.session, parts);

    const { hub, events } = this.ctx;
    hub.on(HubEvents.participantJoined, (p: ParticipantInfo) => this.remote.add(p));
    hub.on(HubEvents.participantLeft, (id: string) => this.remote.remove(id));
    hub.on(HubEvents.trackAdded, (t: TrackInfo) => events.emit('trackAdded', t));
    hub.on(HubEvents.trackRemoved, (t: TrackInfo) => events.emit('trackRemoved', t));
    hub.on(HubEvents.offer, (sdp: string, session?: string) => this.negotiator.answerServerOffer(sdp, session));
    hub.on(HubEvents.sectionsRejected, (sections: RejectedSection[]) => {
      for (const s of sections) {
        this.ctx.report(`the server rejected our ${s.kind} section ${s.mid}`, new Error(s.reason));
      }
    });
    hub.on(HubEvents.chatReceived, (m: ChatMessage) => events.emit('chat', m));
    hub.on(HubEvents.mediaStateChanged, (m: MediaState) => events.emit('mediaState', m));
    hub.on(HubEvents.dominantSpeakerChanged, (id: string | null) => events.emit('dominantSpeaker', id));
    hub.on(HubEvents.warning, (message: string) => events.emit('warning', message));
    hub.on(HubEvents.layersChanged, (mid: string, rids: string[]) => {
      this.local
        .setWantedLayers(mid, rids)
        .then(() => events.emit('layersChanged', { mid, rids }))
        .catch((e: unknown) => this.ctx.report('turning simulcast layers on or off', e));
    });
    hub.on(HubEvents.removed, (reason: string) => {
      void this.session.removed(reason);
    });
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof SfuClientEvents>(event: K, handler: (payload: SfuClientEvents[K]) => void): () => void {
    return this.ctx.events.on(event, handler);
  }

  /** The peer connection of the current session (null before join and after close); tests read getStats() from it. */
  get pc(): RTCPeerConnection | null {
    return this.peer.current;
  }

  /** Our camera and microphone, once join has obtained them. */
  get localStream(): MediaStream | null {
    return this.local.stream;
  }

  /** Our participant id, assigned by the server on join. */
  get participantId(): string | null {
    return this.ctx.participantId;
  }

  /** Our screen share while it runs. */
  get screenTrack(): MediaStreamTrack | null {
    return this.screen.track;
  }

  /** How many offer/answer exchanges completed; mute and device switches must not add any. */
  get negotiations(): number {
    return this.negotiator.negotiations;
  }

  /** How many ICE restarts this client asked for. */
  get iceRestarts(): number {
    return this.peer.iceRestarts;
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
    return connectionState(this.ctx.closed, this.session.joined, this.ctx.hub.signaling, this.peer.current);
  }

  /**
   * Connects signaling, joins the room, captures camera and microphone and publishes them.
   * Resolves once the server has answered our first offer.
   */
  join(room: string, displayName: string): Promise<JoinResult> {
    return this.session.join(room, displayName);
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

  /**
   * Tells the server the size `element` shows the remote video `track` at, now and after every
   * resize (debounced), until the returned function is called. With simulcast the server then
   * forwards the smallest layer at least that large; an element with no size (display: none)
   * pauses the track. The room page calls this for every remote video it shows.
   */
  watchVideoSize(track: MediaStreamTrack, element: HTMLElement): () => void {
    return this.sizes.watch(track, element);
  }

  /**
   * Pins the simulcast layer (by rid) forwarded for the remote video `track`, whatever size it
   * is shown at; null goes back to the choice by size. Rejects with the server's reason when
   * the track has no such layer.
   */
  async setVideoLayer(track: MediaStreamTrack, rid: string | null): Promise<void> {
    const mid = this.peer.current?.getTransceivers().find((t) => t.receiver.track === track)?.mid ?? null;
    if (mid === null) {
      throw new Error('that track is not received on the current connection');
    }
    await this.ctx.hub.invoke(HubMethods.setVideoLayer, mid, rid);
  }

  /** The rids of the simulcast layers our camera publishes, lowest first; empty without simulcast. */
  get cameraLayers(): string[] {
    return this.local.cameraRids;
  }

  /**
   * For a page that is going away: leaves at once through a beacon (which outlives the page)
   * so the others do not wait out the reconnect grace; then closes.
   */
  leaveOnUnload(): void {
    this.session.leaveOnUnload();
  }

  /** Leaves the room and releases the camera, microphone and connections. Safe to call twice. */
  close(): Promise<void> {
    this.recovery.cancel();
    this.sizes.clear();
    return this.session.close();
  }
}
