// The size each remote video is shown at, told to the server (SetVideoSize by mid): with
// simulcast it forwards the smallest layer at least that large, and a video shown nowhere
// (0 × 0) is paused. Sizes are device pixels, so a sharp screen gets a sharper layer.
import { HubMethods } from '../contracts';
import type { ClientContext } from './context';
import type { PeerLink } from './peer-link';

/** A tile being resized (a window dragged, the grid reflowing) settles before we tell the server. */
const DebounceMs = 250;

interface Watched {
  readonly element: HTMLElement;
  readonly observer: ResizeObserver;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The size last sent for this track, "w×h"; a repeat is not sent again. */
  sent: string;
}

export class VideoSizes {
  private readonly watched = new Map<MediaStreamTrack, Watched>();

  /** @param receiving whether the others' video comes to us at all (a paused client reports nothing) */
  constructor(
    private readonly ctx: ClientContext,
    private readonly peer: PeerLink,
    private readonly receiving: () => boolean,
  ) {}

  /**
   * Reports the size `element` shows remote `track` at, now and after each resize, until the
   * returned function is called. A track is watched in one element at a time.
   */
  watch(track: MediaStreamTrack, element: HTMLElement): () => void {
    this.unwatch(track);
    const observer = new ResizeObserver(() => this.schedule(track));
    const entry: Watched = { element, observer, timer: undefined, sent: '' };
    this.watched.set(track, entry);
    // The first observation fires at once with the current size.
    observer.observe(element);
    return () => {
      if (this.watched.get(track) === entry) {
        this.unwatch(track);
      }
    };
  }

  /** Sends every watched size again, even unchanged (incoming video was resumed, which un-pauses every track). */
  resendAll(): void {
    for (const [track, entry] of this.watched) {
      entry.sent = '';
      this.schedule(track);
    }
  }

  /** Stops watching every track (the client closes). */
  clear(): void {
    for (const track of [...this.watched.keys()]) {
      this.unwatch(track);
    }
  }

  private unwatch(track: MediaStreamTrack): void {
    const entry = this.watched.get(track);
    if (entry !== undefined) {
      entry.observer.disconnect();
      clearTimeout(entry.timer);
      this.watched.delete(track);
    }
  }

  private schedule(track: MediaStreamTrack): void {
    const entry = this.watched.get(track);
    if (entry === undefined) {
      return;
    }
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.send(track, entry).catch((e: unknown) => {
        // The track may have gone between the resize and the call (its sender left): not worth an error banner.
        console.warn('reporting a video size', e);
      });
    }, DebounceMs);
  }

  private async send(track: MediaStreamTrack, entry: Watched): Promise<void> {
    const pc = this.peer.current;
    if (pc === null || this.ctx.closed || !this.ctx.hub.connected || !this.receiving() || track.readyState === 'ended') {
      return;
    }
    const mid = pc.getTransceivers().find((t) => t.receiver.track === track)?.mid ?? null;
    if (mid === null) {
      return;
    }
    // CSS pixels × devicePixelRatio: the pixels the frame is actually drawn on.
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(entry.element.clientWidth * ratio);
    const height = Math.round(entry.element.clientHeight * ratio);
    const size = `${width}×${height}`;
    if (size === entry.sent) {
      return;
    }
    entry.sent = size;
    await this.ctx.hub.invoke(HubMethods.setVideoSize, mid, width, height);
  }
}
