// The room page's DOM: participant tiles, shared screens, the status line. Knows nothing
// about signaling; room.ts feeds it from the SfuClient's events.
import type { MediaState } from './contracts';
import type { OverallState } from './sfu-client';

const stateLabels: Record<OverallState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Connection failed',
  closed: 'Disconnected',
};

const micOffIcon =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M19 11h-2c0 .74-.16 1.43-.43 2.05l1.23 1.23A6.9 6.9 0 0 0 19 11Zm-4 .17V5a3 3 0 0 0-5.94-.6L15 10.34v.83ZM4.27 3 3 4.27l6 6V11a3 3 0 0 0 4.52 2.59l1.66 1.66A5 5 0 0 1 7 11H5a7 7 0 0 0 6 6.92V21h2v-3.08a6.9 6.9 0 0 0 3.33-1.37L19.73 20 21 18.73 4.27 3Z"/></svg>';

interface Tile {
  readonly root: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly name: HTMLElement;
  readonly avatar: HTMLElement;
  /** Audio plus the camera track: what the tile plays (a screen share is shown apart). */
  readonly media: MediaStream;
}

interface ScreenTile {
  readonly root: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly track: MediaStreamTrack;
}

/** Watches the size a remote video track is shown at; returns a function that stops. */
export type WatchVideo = (track: MediaStreamTrack, element: HTMLElement) => () => void;

export class RoomView {
  private readonly grid: HTMLElement;
  private readonly screens: HTMLElement;
  private readonly status: HTMLElement;
  private readonly errors: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly people: HTMLElement;
  private readonly tiles = new Map<string, Tile>();
  private readonly screenTiles = new Map<string, ScreenTile>();
  private readonly watching = new Map<MediaStreamTrack, () => void>();
  private local: Tile | null = null;
  private localId = '';

  /** @param watchVideo told which element shows each remote video (the server sends the layer that fits it) */
  constructor(
    root: Document,
    room: string,
    private readonly watchVideo: WatchVideo = () => () => undefined,
  ) {
    this.grid = required(root, 'tile-grid');
    this.screens = required(root, 'screen-stage');
    this.status = required(root, 'connection-state');
    this.errors = required(root, 'error-banner');
    this.notice = required(root, 'connection-notice');
    this.people = required(root, 'participant-count');
    required(root, 'room-title').textContent = room;
    root.title = `${room} · SfuRouter`;
  }

  /** Our own tile: muted (no echo) and mirrored like a mirror, first in the grid. */
  showLocal(name: string, stream: MediaStream | null): void {
    if (this.local === null) {
      this.local = createTile(name, true);
      this.local.root.dataset['local'] = 'true';
      this.local.video.muted = true;
      this.local.video.classList.add('mirrored');
      this.grid.prepend(this.local.root);
      this.layout();
    }
    if (stream !== null) {
      const tile = this.local;
      syncTracks(tile.media, stream.getTracks().filter((t) => t.kind === 'video'));
      show(tile);
    }
  }

  setLocalId(participantId: string): void {
    this.localId = participantId;
    if (this.local !== null) {
      this.local.root.dataset['participantId'] = participantId;
    }
  }

  setLocalMediaState(state: MediaState): void {
    if (this.local !== null) {
      applyMediaState(this.local, state);
    }
  }

  /** Adds a tile for a remote participant, or updates its name. */
  upsertParticipant(participantId: string, name: string | undefined): void {
    const tile = this.ensureTile(participantId);
    if (name !== undefined) {
      tile.root.dataset['name'] = name;
      tile.name.textContent = name;
      tile.avatar.textContent = initials(name);
      tile.avatar.style.setProperty('--hue', String(hue(name)));
    }
  }

  /**
   * Shows a remote participant's tracks: audio and the first video track (the camera) in
   * the tile; a later video track of the same participant is a screen share, shown large.
   */
  addRemoteTrack(participantId: string, track: MediaStreamTrack): void {
    const tile = this.ensureTile(participantId);
    const hasCamera = tile.media.getVideoTracks().length > 0;
    if (track.kind === 'video' && hasCamera && !tile.media.getTrackById(track.id)) {
      this.showScreen(participantId, track);
      return;
    }
    if (!tile.media.getTrackById(track.id)) {
      tile.media.addTrack(track);
      if (track.kind === 'video') {
        this.watch(track, tile.video);
      }
    }
    show(tile);
  }

  removeRemoteTrack(participantId: string, track: MediaStreamTrack): void {
    const screen = this.screenTiles.get(participantId);
    if (screen !== undefined && screen.track === track) {
      this.hideScreen(participantId);
      return;
    }
    const tile = this.tiles.get(participantId);
    if (tile?.media.getTrackById(track.id)) {
      this.unwatch(track);
      tile.media.removeTrack(track);
      show(tile);
    }
  }

  detachStream(participantId: string): void {
    const tile = this.tiles.get(participantId);
    if (tile !== undefined) {
      tile.media.getTracks().forEach((t) => this.unwatch(t));
      syncTracks(tile.media, []);
      tile.root.classList.remove('has-video');
    }
    this.hideScreen(participantId);
  }

  removeParticipant(participantId: string): void {
    this.hideScreen(participantId);
    const tile = this.tiles.get(participantId);
    if (tile === undefined) {
      return;
    }
    tile.media.getTracks().forEach((t) => this.unwatch(t));
    tile.video.srcObject = null;
    tile.root.remove();
    this.tiles.delete(participantId);
    this.layout();
  }

  setMediaState(state: MediaState): void {
    const tile = state.participantId === this.localId ? this.local : this.tiles.get(state.participantId);
    if (tile !== null && tile !== undefined) {
      applyMediaState(tile, state);
    }
  }

  /** Highlights the dominant speaker's tile (ours included). */
  setDominantSpeaker(participantId: string | null): void {
    for (const tile of [...this.tiles.values(), ...(this.local === null ? [] : [this.local])]) {
      const speaking = participantId !== null && tile.root.dataset['participantId'] === participantId;
      tile.root.classList.toggle('speaking', speaking);
      if (speaking) {
        tile.root.dataset['speaking'] = 'true';
      } else {
        delete tile.root.dataset['speaking'];
      }
    }
  }

  setState(state: OverallState): void {
    this.status.dataset['state'] = state;
    this.status.textContent = stateLabels[state];
  }

  showError(message: string): void {
    this.errors.textContent = message;
    this.errors.hidden = false;
  }

  clearError(): void {
    this.errors.hidden = true;
  }

  /** A lasting note about the connection (not an error): e.g. media relayed through TURN. */
  showNotice(message: string): void {
    this.notice.textContent = message;
    this.notice.hidden = false;
  }

  private showScreen(participantId: string, track: MediaStreamTrack): void {
    this.hideScreen(participantId);
    const root = document.createElement('figure');
    root.className = 'screen-tile';
    root.dataset['testid'] = 'screen-tile';
    root.dataset['participantId'] = participantId;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true;
    video.srcObject = new MediaStream([track]);
    const caption = document.createElement('figcaption');
    caption.className = 'name';
    const owner = this.tiles.get(participantId)?.root.dataset['name'] ?? 'Someone';
    caption.textContent = `${owner}'s screen`;
    root.append(video, caption);
    this.screens.append(root);
    this.screenTiles.set(participantId, { root, video, track });
    this.watch(track, video);
    void video.play().catch(() => undefined);
    this.layout();
  }

  private hideScreen(participantId: string): void {
    const screen = this.screenTiles.get(participantId);
    if (screen === undefined) {
      return;
    }
    this.unwatch(screen.track);
    screen.video.srcObject = null;
    screen.root.remove();
    this.screenTiles.delete(participantId);
    this.layout();
  }

  private watch(track: MediaStreamTrack, element: HTMLElement): void {
    this.unwatch(track);
    this.watching.set(track, this.watchVideo(track, element));
  }

  private unwatch(track: MediaStreamTrack): void {
    this.watching.get(track)?.();
    this.watching.delete(track);
  }

  private ensureTile(participantId: string): Tile {
    let tile = this.tiles.get(participantId);
    if (tile === undefined) {
      tile = createTile('', false);
      tile.root.dataset['participantId'] = participantId;
      this.tiles.set(participantId, tile);
      this.grid.append(tile.root);
      this.layout();
    }
    return tile;
  }

  /** Picks a column count that keeps 1..16 tiles readable; a shared screen turns the grid into a strip. */
  private layout(): void {
    const count = this.tiles.size + (this.local === null ? 0 : 1);
    const sharing = this.screenTiles.size > 0;
    const columns = sharing ? Math.min(count, 4) : count <= 1 ? 1 : count <= 4 ? 2 : count <= 9 ? 3 : 4;
    this.grid.style.setProperty('--columns', String(Math.max(1, columns)));
    this.grid.style.setProperty('--rows', String(Math.max(1, Math.ceil(count / Math.max(1, columns)))));
    this.grid.dataset['count'] = String(count);
    this.screens.hidden = !sharing;
    this.screens.parentElement?.classList.toggle('sharing', sharing);
    this.people.textContent = `${count} ${count === 1 ? 'person' : 'people'}`;
  }
}

function required(root: Document, testId: string): HTMLElement {
  const found = root.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (found === null) {
    throw new Error(`missing element ${testId}`);
  }
  return found;
}

function createTile(name: string, local: boolean): Tile {
  const root = document.createElement('figure');
  root.className = 'tile';
  root.dataset['testid'] = 'participant-tile';
  root.dataset['mic'] = 'on';
  root.dataset['camera'] = 'on';
  if (name !== '') {
    root.dataset['name'] = name;
  }

  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  const media = new MediaStream();
  video.srcObject = media;

  const avatar = document.createElement('div');
  avatar.className = 'avatar';
  avatar.textContent = initials(name);
  avatar.style.setProperty('--hue', String(hue(name)));
  avatar.setAttribute('aria-hidden', 'true');

  const caption = document.createElement('figcaption');
  caption.className = 'name';
  const micOff = document.createElement('span');
  micOff.className = 'mic-off';
  micOff.title = 'Microphone off';
  micOff.innerHTML = micOffIcon; // a constant icon, never user input
  const label = document.createElement('span');
  label.textContent = local ? `${name} (you)` : name;
  caption.append(micOff, label);

  root.append(video, avatar, caption);
  return { root, video, name: label, avatar, media };
}

function applyMediaState(tile: Tile, state: MediaState): void {
  tile.root.dataset['mic'] = state.mic ? 'on' : 'off';
  tile.root.dataset['camera'] = state.camera ? 'on' : 'off';
  tile.root.dataset['screen'] = state.screen ? 'on' : 'off';
}

/** Makes the tile's own stream hold exactly these tracks (audio kept unless listed otherwise). */
function syncTracks(stream: MediaStream, tracks: MediaStreamTrack[]): void {
  for (const old of stream.getTracks()) {
    if (!tracks.includes(old)) {
      stream.removeTrack(old);
    }
  }
  for (const track of tracks) {
    if (!stream.getTrackById(track.id)) {
      stream.addTrack(track);
    }
  }
}

function show(tile: Tile): void {
  tile.root.classList.toggle('has-video', tile.media.getVideoTracks().length > 0);
  if (tile.media.getTracks().length > 0) {
    play(tile);
  }
}

/** Starts playback; if the autoplay policy refuses sound, plays muted and offers to unmute. */
function play(tile: Tile): void {
  tile.video.play().catch((error: unknown) => {
    if (!(error instanceof DOMException) || error.name !== 'NotAllowedError' || tile.video.muted) {
      return;
    }
    tile.video.muted = true;
    void tile.video.play().catch(() => undefined);
    if (tile.root.querySelector('.unmute') === null) {
      const button = document.createElement('button');
      button.className = 'unmute';
      button.type = 'button';
      button.textContent = 'Click to unmute';
      button.addEventListener('click', () => {
        tile.video.muted = false;
        button.remove();
      });
      tile.root.append(button);
    }
  });
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => w !== '');
  const letters = words.slice(0, 2).map((w) => [...w][0]?.toUpperCase() ?? '');
  return letters.join('') || '?';
}

/** A stable colour per nickname for the camera-off placeholder. */
function hue(name: string): number {
  let h = 0;
  for (const c of name) {
    h = (h * 31 + (c.codePointAt(0) ?? 0)) % 360;
  }
  return h;
}
