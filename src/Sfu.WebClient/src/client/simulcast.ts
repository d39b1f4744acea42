// Which encodings our camera and screen share are published with, and which of the camera's
// simulcast layers are sending: the server's dynacast (LayersChanged) turns off layers nobody
// watches, the camera switch turns all of them off, and both must agree.

/** The simulcast layers we publish, lowest first: the order the server ranks them in (RFC 8853 a=simulcast lists them so). */
const cameraLayers = [
  { rid: 'q', scaleResolutionDownBy: 4 },
  { rid: 'h', scaleResolutionDownBy: 2 },
  { rid: 'f', scaleResolutionDownBy: 1 },
] as const;

/** The capture size assumed when the camera is not open yet (we ask for 1280×720). */
const assumedCapture = { width: 1280, height: 720 };

/**
 * The camera's encodings for a capture of `width` × `height`: three layers (rid q/h/f at a
 * quarter, half and full size) from 960×540 up, two (h/f) from 480×270, else one. This is
 * Chromium's own rule (webrtc's simulcast table gives 3 layers down to 960×540, 2 down to
 * 480×270, 1 below) and, like Chromium, the layers dropped are the lowest: a layer below
 * about 160×90 is not worth a stream. Asking for no more than the encoder will produce keeps
 * the rids we offer the rids that arrive. The bitrates are the usual ones for each size
 * (150 kbit/s at 320×180, 500 kbit/s at 640×360, 1.5 Mbit/s at 1280×720), scaled by pixels
 * for other sizes.
 */
export function cameraEncodings(width: number | undefined, height: number | undefined): RTCRtpEncodingParameters[] {
  const w = width ?? assumedCapture.width;
  const h = height ?? assumedCapture.height;
  const pixels = w * h;
  const count = pixels >= 960 * 540 ? 3 : pixels >= 480 * 270 ? 2 : 1;
  return cameraLayers.slice(cameraLayers.length - count).map((layer) => ({
    rid: layer.rid,
    scaleResolutionDownBy: layer.scaleResolutionDownBy,
    maxBitrate: bitrateFor(pixels / (layer.scaleResolutionDownBy * layer.scaleResolutionDownBy)),
    active: true,
  }));
}

/**
 * A screen share is one encoding: text must stay readable, and any downscaled layer of a
 * screen is unreadable, so a subscriber would never want one; the share runs at a low frame
 * rate anyway, which is where its bitrate goes. 2.5 Mbit/s keeps a 1080p screen sharp.
 */
export const screenEncodings: RTCRtpEncodingParameters[] = [{ maxBitrate: 2_500_000 }];

/** 1.5 Mbit/s for 1280×720, then in proportion with a floor for small layers (bits per pixel rise as frames shrink). */
function bitrateFor(pixels: number): number {
  if (pixels <= 320 * 180) {
    return 150_000;
  }
  if (pixels <= 640 * 360) {
    return 500_000;
  }
  return Math.round((1_500_000 * pixels) / (1280 * 720));
}

/**
 * The `active` flags of one sender's encodings. An encoding sends while the sender is on (the
 * camera is on) and the server has not said nobody watches its rid. Every change goes through
 * one chain: setParameters refuses parameters read before another change landed.
 */
export class SenderLayers {
  private on = true;
  /** The rids the server wants; null: all of them (it has said nothing yet). */
  private wanted: ReadonlySet<string> | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly sender: RTCRtpSender) {}

  /** The sender is on or off as a whole (camera on or off). */
  setSending(on: boolean): Promise<void> {
    this.on = on;
    return this.apply();
  }

  /** Only these rids are watched by anyone (the server's LayersChanged). */
  setWanted(rids: readonly string[]): Promise<void> {
    this.wanted = new Set(rids);
    return this.apply();
  }

  /** Whether this sender publishes more than one encoding. */
  get simulcast(): boolean {
    return this.sender.getParameters().encodings.length > 1;
  }

  private apply(): Promise<void> {
    const run = this.chain.then(() => this.applyNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyNow(): Promise<void> {
    const parameters = this.sender.getParameters();
    if (parameters.encodings.length === 0) {
      return;
    }
    let changed = false;
    for (const encoding of parameters.encodings) {
      // An encoding without a rid is the only one; dynacast never turns it off.
      const active = this.on && (this.wanted === null || encoding.rid === undefined || this.wanted.has(encoding.rid));
      if (encoding.active !== active) {
        encoding.active = active;
        changed = true;
      }
    }
    if (changed) {
      await this.sender.setParameters(parameters);
    }
  }
}
