// Our microphone and camera: opened at join (a device that cannot be had leaves that kind
// off), one sending transceiver per kind for the whole session, and mute, camera off/on and
// device switches on those same senders (replaceTrack), so none of them renegotiates.
import type { ClientContext } from './context';
import { DeviceUnavailableError, describeDeviceError, isDeviceError, isGetUserMediaDeviceError } from './device-errors';
import { defaultMedia, type SfuClientOptions } from './options';
import { cameraEncodings, SenderLayers } from './simulcast';

export class LocalMedia {
  private readonly media: MediaStreamConstraints;
  private readonly simulcast: boolean;
  private mic: boolean;
  private camera: boolean;
  private localStream: MediaStream | null = null;
  private audioSender: RTCRtpSender | null = null;
  private cameraSender: RTCRtpSender | null = null;
  private audioLayers: SenderLayers | null = null;
  private cameraLayers: SenderLayers | null = null;
  private cameraTransceiver: RTCRtpTransceiver | null = null;
  /** A camera is being opened (getUserMedia can take a while); a second click waits for it. */
  private cameraOpening = false;
  /** A camera chosen while the camera is off, used when it comes back on. */
  private preferredCamera: string | undefined;

  /** @param publish tells the room our microphone/camera/screen state after a change */
  constructor(
    private readonly ctx: ClientContext,
    options: SfuClientOptions,
    private readonly publish: () => Promise<void>,
  ) {
    this.media = options.media ?? defaultMedia;
    this.simulcast = options.simulcast ?? true;
    this.mic = options.startWith?.mic ?? true;
    this.camera = options.startWith?.camera ?? true;
  }

  /** Our camera and microphone, once join has obtained them (the preview shows this stream). */
  get stream(): MediaStream | null {
    return this.localStream;
  }

  get micOn(): boolean {
    return this.mic;
  }

  get cameraOn(): boolean {
    return this.camera;
  }

  /** Opens the devices on the first join; a rejoin keeps what is open. */
  async open(): Promise<MediaStream> {
    if (this.localStream === null) {
      this.localStream = await this.openLocalMedia();
      this.ctx.events.emit('localStream', this.localStream);
    }
    return this.localStream;
  }

  /**
   * One sending transceiver per kind on a new peer connection, whether or not a device is
   * open behind it: a camera or microphone turned on later goes to the same sender
   * (replaceTrack, no renegotiation), and the camera stays the first video track the others
   * receive.
   */
  attach(pc: RTCPeerConnection, stream: MediaStream): void {
    const audioTrack = stream.getAudioTracks()[0];
    const videoTrack = stream.getVideoTracks()[0];
    this.audioSender = pc.addTransceiver(audioTrack ?? 'audio', { direction: 'sendonly', streams: [stream] }).sender;
    this.cameraTransceiver = this.addCameraTransceiver(pc, videoTrack ?? 'video', stream);
    this.cameraSender = this.cameraTransceiver.sender;
    this.audioLayers = new SenderLayers(this.audioSender);
    this.cameraLayers = new SenderLayers(this.cameraSender);
    if (audioTrack !== undefined) {
      audioTrack.enabled = this.mic;
    }
  }

  /**
   * The camera's transceiver: with simulcast, one encoding per layer that the capture size
   * allows (a camera opened later is assumed to give the 1280×720 we ask for; a smaller one
   * makes the encoder drop the layers it cannot fill, as Chromium does by itself). The number
   * of encodings is fixed at this point: setParameters can turn them on and off, never add one.
   * A browser that refuses rids in sendEncodings (Firefox before 110) publishes one encoding.
   */
  private addCameraTransceiver(pc: RTCPeerConnection, track: MediaStreamTrack | 'video', stream: MediaStream): RTCRtpTransceiver {
    const init: RTCRtpTransceiverInit = { direction: 'sendonly', streams: [stream] };
    if (!this.simulcast) {
      return pc.addTransceiver(track, init);
    }
    const settings = typeof track === 'string' ? {} : track.getSettings();
    try {
      return pc.addTransceiver(track, { ...init, sendEncodings: cameraEncodings(settings.width, settings.height) });
    } catch (error) {
      this.ctx.events.emit('warning', `Publishing the camera without simulcast: ${error instanceof Error ? error.message : String(error)}`);
      return pc.addTransceiver(track, init);
    }
  }

  /** The rids (simulcast layers) of the camera's encodings, lowest first; empty without simulcast. */
  get cameraRids(): string[] {
    const encodings = this.cameraSender?.getParameters().encodings ?? [];
    return encodings.length > 1 ? encodings.flatMap((e) => (e.rid === undefined ? [] : [e.rid])) : [];
  }

  /**
   * The server's dynacast: of the track we publish in m-section `mid`, only `rids` are watched.
   * The camera turns the other encodings off (active = false, no renegotiation) until they are
   * named again; the encoder stops producing them, which saves our uplink and CPU.
   */
  async setWantedLayers(mid: string, rids: readonly string[]): Promise<void> {
    if (this.cameraTransceiver !== null && this.cameraTransceiver.mid === mid) {
      await this.cameraLayers?.setWanted(rids);
    }
  }

  /** Stops every track, which frees the devices. */
  release(): void {
    this.cameraTransceiver = null;
    for (const track of this.localStream?.getTracks() ?? []) {
      track.stop();
    }
    this.localStream = null;
  }

  /**
   * A disabled track makes the sender send silence (audio level 127, so the server's speaker
   * detection sees it too). With no microphone open yet, on opens one first.
   */
  async setMicEnabled(on: boolean): Promise<void> {
    if (on && (this.localStream?.getAudioTracks().length ?? 0) === 0) {
      const track = await this.capture('audio', undefined);
      await this.replaceLocalTrack('audio', track);
    }
    this.mic = on;
    for (const track of this.localStream?.getAudioTracks() ?? []) {
      track.enabled = on;
    }
    await this.publish();
  }

  /**
   * Off stops the sender's encoding and detaches the track (replaceTrack(null)), then releases
   * the device; on captures again. Stopping the encoding matters for Firefox, which goes on
   * sending black frames for a sender without a track; neither step renegotiates.
   */
  async setCameraEnabled(on: boolean): Promise<void> {
    if (on === this.camera || this.cameraOpening) {
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
      this.camera = true;
    } else {
      this.camera = false;
      await this.cameraLayers?.setSending(false);
      await this.cameraSender?.replaceTrack(null);
      this.dropLocalTracks('video');
    }
    await this.publish();
  }

  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const media = kind === 'audioinput' ? 'audio' : 'video';
    if (media === 'video' && !this.camera) {
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
        this.camera = false;
        await this.cameraLayers?.setSending(false);
        await this.cameraSender?.replaceTrack(null);
        await this.publish();
      }
      throw error;
    }
    if (media === 'audio') {
      track.enabled = this.mic;
    }
    await this.replaceLocalTrack(media, track);
  }

  async devices(): Promise<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }> {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      cameras: all.filter((d) => d.kind === 'videoinput'),
      microphones: all.filter((d) => d.kind === 'audioinput'),
    };
  }

  /** The device id behind our current track, or the camera chosen while the camera is off. */
  currentDeviceId(media: 'audio' | 'video'): string | undefined {
    if (media === 'video' && this.preferredCamera !== undefined) {
      return this.preferredCamera;
    }
    const track = media === 'audio' ? this.localStream?.getAudioTracks()[0] : this.localStream?.getVideoTracks()[0];
    return track?.getSettings().deviceId;
  }

  /**
   * Opens the microphone, and the camera unless we start with it off (so its light never
   * comes on). A device that is missing, busy or refused leaves that kind off instead of
   * failing the join: a participant with no camera, or with nothing at all, still joins,
   * sees and hears the others, and is told what is off and why.
   */
  private async openLocalMedia(): Promise<MediaStream> {
    const wantVideo = this.camera && this.media.video !== false && this.media.video !== undefined;
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
      this.mic = false;
    }
    if (stream.getVideoTracks().length === 0) {
      this.camera = false;
    }
    if (missing.length > 0) {
      this.ctx.events.emit('error', new Error(`Joined without ${missing.join(' and ')}.`));
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
    await (media === 'audio' ? this.audioLayers : this.cameraLayers)?.setSending(true);
    this.dropLocalTracks(media);
    this.localStream?.addTrack(track);
    if (media === 'video') {
      this.preferredCamera = undefined;
    }
    if (this.localStream !== null) {
      this.ctx.events.emit('localStream', this.localStream);
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
      this.ctx.events.emit('localStream', stream);
    }
  }
}
