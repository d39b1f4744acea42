// Our screen share: one more sending video transceiver while it runs, so starting and
// stopping it are renegotiated (unlike the microphone and camera).
import type { ClientContext } from './context';
import type { LocalMedia } from './local-media';
import type { PeerLink } from './peer-link';
import { screenEncodings } from './simulcast';

export class ScreenShare {
  private screenTrack: MediaStreamTrack | null = null;
  private screenTransceiver: RTCRtpTransceiver | null = null;

  /** @param publish tells the room our microphone/camera/screen state after a change */
  constructor(
    private readonly ctx: ClientContext,
    private readonly peer: PeerLink,
    private readonly local: LocalMedia,
    private readonly publish: () => Promise<void>,
  ) {}

  /** Our screen share while it runs. */
  get track(): MediaStreamTrack | null {
    return this.screenTrack;
  }

  /** The browser's own "stop sharing" ends the track, and with it the share. */
  async start(): Promise<void> {
    if (this.screenTrack !== null || this.peer.current === null) {
      return;
    }
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = display.getVideoTracks()[0];
    if (track === undefined) {
      throw new Error('the browser shared no video');
    }
    track.contentHint = 'detail';
    track.addEventListener('ended', () => void this.stop().catch((e: unknown) => this.ctx.report('ending the screen share', e)));
    this.screenTrack = track;
    this.screenTransceiver = this.peer.current.addTransceiver(track, {
      direction: 'sendonly',
      streams: [this.local.stream ?? display],
      sendEncodings: screenEncodings.map((e) => ({ ...e })),
    });
    await this.publish();
  }

  async stop(): Promise<void> {
    const track = this.screenTrack;
    if (track === null) {
      return;
    }
    this.screenTrack = null;
    track.stop();
    const transceiver = this.screenTransceiver;
    this.screenTransceiver = null;
    const pc = this.peer.current;
    if (transceiver !== null && pc !== null && transceiver.currentDirection !== 'stopped') {
      pc.removeTrack(transceiver.sender);
    }
    await this.publish();
  }

  /** A new session starts without a screen share: its transceiver went with the old peer connection. */
  reset(): void {
    this.screenTrack?.stop();
    this.screenTrack = null;
    this.screenTransceiver = null;
  }
}
