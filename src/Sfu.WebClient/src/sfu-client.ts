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
import { DeviceUnavailableError, describeDeviceError, isDeviceError, isGetUserMediaDeviceError } from './client/device-errors';
import type { SfuClientEvents } from './client/events';
import type { HubLink } from './client/hub-link';
import { Negotiator } from './client/negotiation';
import { defaultMedia, type SfuClientOptions } from './client/options';
import { PeerLink } from './client/peer-link';

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
  private readonly media: MediaStreamConstraints;
  private readonly remote = new Map<string, MediaStream>();
  private readonly members = new Map<string, ParticipantInfo>();

  private readonly peer: PeerLink;
  private readonly negotiator: Negotiator;
  private room: string | null = null;
  private displayName: string | null = null;
  private resumeToken: string | null = null;
  private micOn: boolean;
  private cameraOn: boolean;
  private audioSender: RTCRtpSender | null = null;
  private cameraSender: RTCRtpSender | null = null;
  /** Whether other participants' video should reach us (false: paused at the server). */
  private incomingVideo = true;
  /** A camera is being opened (getUserMedia can take a while); a second click waits for it. */
  private cameraOpening = false;
  private screenTransceiver: RTCRtpTransceiver | null = null;
  /** A camera chosen while the camera is off, used when it comes back on. */
  private preferredCamera: string | undefined;

  /** Our camera and microphone, once join has obtained them. */
  localStream: MediaStream | null = null;
  /** Our screen share while it runs. */
  screenTrack: MediaStreamTrack | null = null;

  constructor(options: SfuClientOptions = {}) {
    this.media = options.media ?? defaultMedia;
    this.micOn = options.startWith?.mic ?? true;
    this.cameraOn = options.startWith?.camera ?? true;
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
    this.peer = new PeerLink(this.ctx, {
      track: (e) => this.onTrack(e),
      negotiationNeeded: () => this.negotiator.scheduleOffer(),
      failed: (pc) => {
        this.negotiator.enqueue(() => this.rejoinAfterFailure(pc)).catch((e: unknown) => this.ctx.report('rejoining', e));
      },
    });
    this.negotiator = new Negotiator(this.ctx, this.peer);

    this.hub.on(HubEvents.participantJoined, (p: ParticipantInfo) => this.addMember(p));
    this.hub.on(HubEvents.participantLeft, (id: string) => this.removeMember(id));
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
    return { participantId: this.participantId ?? '', mic: this.micOn, camera: this.cameraOn, screen: this.screenTrack !== null };
  }

  /** Sends a chat line to the room; rejects with the server's reason (e.g. too long). */
  async sendChat(text: string): Promise<void> {
    await this.hub.invoke(HubMethods.sendChat, text);
  }

  /**
   * Microphone on or off without renegotiation: a disabled track makes the sender send
   * silence (audio level 127, so the server's speaker detection sees it too). Turning it on
   * when no microphone is open (none was found at join) opens one first; if that fails the
   * microphone stays off and the promise rejects with the reason.
   */
  async setMicEnabled(on: boolean): Promise<void> {
    if (on && (this.localStream?.getAudioTracks().length ?? 0) === 0) {
      const track = await this.capture('audio', undefined);
      await this.replaceLocalTrack('audio', track);
    }
    this.micOn = on;
    for (const track of this.localStream?.getAudioTracks() ?? []) {
      track.enabled = on;
    }
    await this.publishMediaState();
  }

  /**
   * Camera on or off without renegotiation: off detaches the track from the sender
   * (replaceTrack(null), frames stop at the others) and releases the device; on captures
   * the chosen camera again and hands it to the same sender.
   */
  async setCameraEnabled(on: boolean): Promise<void> {
    if (on === this.cameraOn || this.cameraOpening) {
      return;
    }
    if (on) {
      // Open the camera before saying it is on: a missing or busy one leaves it off.
      this.cameraOpening = true;
      try {
        await this.replaceLocalTrack('video', await this.capture('video', this.currentDeviceId('video')));
      } finally {
        this.cameraOpening = false;
      }
      this.cameraOn = true;
    } else {
      this.cameraOn = false;
      await this.cameraSender?.replaceTrack(null);
      this.dropLocalTracks('video');
    }
    await this.publishMediaState();
  }

  /** Switches camera or microphone while the call goes on (replaceTrack, no renegotiation). */
  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const media = kind === 'audioinput' ? 'audio' : 'video';
    if (media === 'video' && !this.cameraOn) {
      this.preferredCamera = deviceId;
      return;
    }
    if (media === 'video') {
      // Many cameras (and Chromium's fake ones) deliver no frames to a second opener:
      // release the current camera before opening the next one.
      this.dropLocalTracks('video');
    }
    let track: MediaStreamTrack;
    try {
      track = await this.capture(media, deviceId);
    } catch (error) {
      if (media === 'video') {
        // The old camera is already released: say the camera is off rather than leave a frozen tile.
        this.cameraOn = false;
        await this.cameraSender?.replaceTrack(null);
        await this.publishMediaState();
      }
      throw error;
    }
    if (media === 'audio') {
      track.enabled = this.micOn;
    }
    await this.replaceLocalTrack(media, track);
  }

  /** The cameras and microphones the browser offers (labels need the permission join obtained). */
  async devices(): Promise<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }> {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      cameras: all.filter((d) => d.kind === 'videoinput'),
      microphones: all.filter((d) => d.kind === 'audioinput'),
    };
  }

  /** The device id behind our current microphone or camera track. */
  currentDeviceId(media: 'audio' | 'video'): string | undefined {
    if (media === 'video' && this.preferredCamera !== undefined) {
      return this.preferredCamera;
    }
    const track = media === 'audio' ? this.localStream?.getAudioTracks()[0] : this.localStream?.getVideoTracks()[0];
    return track?.getSettings().deviceId;
  }

  /**
   * Shares the screen as an extra video track: a new transceiver, so a renegotiation. Ends
   * by itself when the browser's own "stop sharing" ends the track.
   */
  async startScreenShare(): Promise<void> {
    if (this.screenTrack !== null || this.peer.current === null) {
      return;
    }
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = display.getVideoTracks()[0];
    if (track === undefined) {
      throw new Error('the browser shared no video');
    }
    track.contentHint = 'detail';
    track.addEventListener('ended', () => void this.stopScreenShare().catch((e: unknown) => this.ctx.report('ending the screen share', e)));
    this.screenTrack = track;
    this.screenTransceiver = this.peer.current.addTransceiver(track, { direction: 'sendonly', streams: [this.localStream ?? display] });
    await this.publishMediaState();
  }

  /** Stops the screen share; the transceiver stops sending (renegotiated) and the others drop it. */
  async stopScreenShare(): Promise<void> {
    const track = this.screenTrack;
    if (track === null) {
      return;
    }
    this.screenTrack = null;
    track.stop();
    const transceiver = this.screenTransceiver;
    this.screenTransceiver = null;
    if (transceiver !== null && this.peer.current !== null && transceiver.currentDirection !== 'stopped') {
      this.peer.current.removeTrack(transceiver.sender);
    }
    await this.publishMediaState();
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

  /**
   * Opens the microphone, and the camera unless we start with it off (so its light never
   * comes on). A device that is missing, busy or refused leaves that kind off instead of
   * failing the join: a participant with no camera, or with nothing at all, still joins,
   * sees and hears the others, and is told what is off and why.
   */
  private async openLocalMedia(): Promise<MediaStream> {
    const wantVideo = this.cameraOn && this.media.video !== false && this.media.video !== undefined;
    const wantAudio = this.media.audio !== false && this.media.audio !== undefined;
    if (wantAudio && wantVideo) {
      try {
        // Both in one call: one permission prompt.
        return await navigator.mediaDevices.getUserMedia(this.media);
      } catch (error) {
        if (!isDeviceError(error)) {
          throw error;
        }
      }
    }
    const stream = new MediaStream();
    const missing: string[] = [];
    for (const media of ['audio', 'video'] as const) {
      if (media === 'audio' ? !wantAudio : !wantVideo) {
        continue;
      }
      try {
        stream.addTrack(await this.capture(media, undefined));
      } catch (error) {
        if (!isDeviceError(error)) {
          throw error;
        }
        missing.push(`${media === 'audio' ? 'microphone' : 'camera'} (${describeDeviceError(error)})`);
      }
    }
    if (stream.getAudioTracks().length === 0) {
      this.micOn = false;
    }
    if (stream.getVideoTracks().length === 0) {
      this.cameraOn = false;
    }
    if (missing.length > 0) {
      this.events.emit('error', new Error(`Joined without ${missing.join(' and ')}.`));
    }
    return stream;
  }

  private async capture(media: 'audio' | 'video', deviceId: string | undefined): Promise<MediaStreamTrack> {
    const base = this.media[media];
    const constraints: MediaTrackConstraints = typeof base === 'object' ? { ...base } : {};
    if (deviceId !== undefined && deviceId !== '') {
      constraints.deviceId = { exact: deviceId };
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ [media]: constraints });
    } catch (error) {
      if (isGetUserMediaDeviceError(error)) {
        throw new DeviceUnavailableError(media, error);
      }
      throw error;
    }
    const track = media === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    if (track === undefined) {
      throw new Error(`no ${media} track from the device`);
    }
    return track;
  }

  /** Puts a new track on the sender of its kind and in the local stream (the preview). */
  private async replaceLocalTrack(media: 'audio' | 'video', track: MediaStreamTrack): Promise<void> {
    const sender = media === 'audio' ? this.audioSender : this.cameraSender;
    await sender?.replaceTrack(track);
    this.dropLocalTracks(media);
    this.localStream?.addTrack(track);
    if (media === 'video') {
      this.preferredCamera = undefined;
    }
    if (this.localStream !== null) {
      this.events.emit('localStream', this.localStream);
    }
  }

  private dropLocalTracks(media: 'audio' | 'video'): void {
    const stream = this.localStream;
    for (const old of (media === 'audio' ? stream?.getAudioTracks() : stream?.getVideoTracks()) ?? []) {
      if (media === 'video' && old.readyState === 'live') {
        this.preferredCamera = old.getSettings().deviceId;
      }
      old.stop();
      stream?.removeTrack(old);
    }
    if (stream !== null) {
      this.events.emit('localStream', stream);
    }
  }

  private async publishMediaState(): Promise<void> {
    const state = this.mediaState;
    this.events.emit('localMediaState', state);
    if (this.hub.connected && this.participantId !== null) {
      await this.hub.invoke(HubMethods.setMediaState, state.mic, state.camera, state.screen);
    }
  }

  private applySnapshot(snapshot: MeetingSnapshot): void {
    this.resumeToken = snapshot.resumeToken;
    this.events.emit('chatHistory', snapshot.chat);
    for (const state of snapshot.mediaStates) {
      if (state.participantId !== this.participantId) {
        this.events.emit('mediaState', state);
      }
    }
    this.events.emit('dominantSpeaker', snapshot.dominantSpeaker);
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
    return this.incomingVideo;
  }

  /**
   * Stops or restarts other participants' video toward us, audio untouched: for a hidden tab,
   * or to save bandwidth. The server stops forwarding (no renegotiation, the tiles keep their
   * last frame) and on the way back resumes each track on a fresh keyframe. Video that arrives
   * later follows the same choice.
   */
  async setIncomingVideo(on: boolean): Promise<void> {
    if (on === this.incomingVideo) {
      return;
    }
    this.incomingVideo = on;
    const pc = this.peer.current;
    if (pc === null || !this.hub.connected) {
      return;
    }
    const mids = pc
      .getTransceivers()
      .filter((t) => t.receiver.track.kind === 'video' && t.currentDirection === 'recvonly' && t.mid !== null)
      .map((t) => t.mid as string);
    await Promise.all(mids.map((mid) => this.hub.invoke(HubMethods.setReceiving, mid, on)));
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
    for (const track of this.localStream?.getTracks() ?? []) {
      track.stop();
    }
    this.localStream = null;
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
        this.addMember(p);
      }
    }

    if (this.localStream === null) {
      this.localStream = await this.openLocalMedia();
      this.events.emit('localStream', this.localStream);
    }
    if (pc !== this.peer.current) {
      return result;
    }
    // One sending transceiver per kind, whether or not a device is open behind it: a camera
    // or microphone turned on later goes to the same sender (replaceTrack, no renegotiation),
    // and the camera stays the first video track the others receive.
    const stream = this.localStream;
    const audioTrack = stream.getAudioTracks()[0];
    const videoTrack = stream.getVideoTracks()[0];
    this.audioSender = pc.addTransceiver(audioTrack ?? 'audio', { direction: 'sendonly', streams: [stream] }).sender;
    this.cameraSender = pc.addTransceiver(videoTrack ?? 'video', { direction: 'sendonly', streams: [stream] }).sender;
    if (audioTrack !== undefined) {
      audioTrack.enabled = this.micOn;
    }
    this.screenTrack?.stop();
    this.screenTrack = null;
    this.screenTransceiver = null;
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
        const present = new Set(result.participants.map((p) => p.id));
        for (const id of [...this.members.keys()]) {
          if (!present.has(id)) {
            this.removeMember(id);
          }
        }
        for (const p of result.participants) {
          if (!this.members.has(p.id)) {
            this.addMember(p);
          }
        }
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
    for (const id of [...this.members.keys()]) {
      this.removeMember(id);
    }
    this.resumeToken = null;
    await this.startSession(this.room, this.displayName);
    this.negotiator.scheduleOffer();
    this.events.emit('recovered', 'rejoined');
  }

  private closePeer(): void {
    this.peer.close();
    this.negotiator.forgetQueuedOffer();
    for (const id of [...this.remote.keys()]) {
      this.dropRemote(id);
    }
  }

  // ---- remote media --------------------------------------------------------------------

  private onTrack(e: RTCTrackEvent): void {
    const stream = e.streams[0];
    if (stream === undefined) {
      // Without a stream (a=msid) a track has no owner to show it under.
      return;
    }
    // The server sets the a=msid stream id to the publishing participant's id.
    const participantId = stream.id;
    if (this.remote.get(participantId) !== stream) {
      this.remote.set(participantId, stream);
      stream.onremovetrack = (removed) => {
        this.events.emit('remoteTrackRemoved', { participantId, stream, track: removed.track });
        if (stream.getTracks().length === 0 && this.remote.get(participantId) === stream) {
          this.dropRemote(participantId);
        }
      };
    }
    this.events.emit('remoteTrack', { participantId, stream, track: e.track });
    const mid = e.transceiver.mid;
    if (!this.incomingVideo && e.track.kind === 'video' && mid !== null) {
      this.hub.invoke(HubMethods.setReceiving, mid, false).catch((error: unknown) => this.ctx.report('pausing incoming video', error));
    }
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
}
