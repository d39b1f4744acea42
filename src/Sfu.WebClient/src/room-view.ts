// The room page's DOM: a grid of participant tiles and a status line. Knows nothing about
// signaling; room.ts feeds it from the SfuClient's events.
import type { OverallState } from './sfu-client';

const stateLabels: Record<OverallState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Connection failed',
  closed: 'Disconnected',
};

interface Tile {
  readonly root: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly name: HTMLElement;
  readonly avatar: HTMLElement;
}

export class RoomView {
  private readonly grid: HTMLElement;
  private readonly status: HTMLElement;
  private readonly errors: HTMLElement;
  private readonly tiles = new Map<string, Tile>();
  private local: Tile | null = null;

  constructor(root: Document, room: string) {
    this.grid = required(root, 'tile-grid');
    this.status = required(root, 'connection-state');
    this.errors = required(root, 'error-banner');
    required(root, 'room-name').textContent = room;
    root.title = `${room} · SfuRouter`;
  }

  /** Our own tile: muted (no echo) and mirrored like a mirror, first in the grid. */
  showLocal(name: string, stream: MediaStream | null): void {
    if (this.local === null) {
      this.local = createTile(`${name} (you)`);
      this.local.root.dataset['local'] = 'true';
      this.local.root.dataset['name'] = name;
      this.local.video.muted = true;
      this.local.video.classList.add('mirrored');
      this.grid.prepend(this.local.root);
      this.layout();
    }
    if (stream !== null) {
      attach(this.local, stream);
    }
  }

  setLocalId(participantId: string): void {
    if (this.local !== null) {
      this.local.root.dataset['participantId'] = participantId;
    }
  }

  /** Adds a tile for a remote participant, or updates its name. */
  upsertParticipant(participantId: string, name: string | undefined): void {
    const tile = this.ensureTile(participantId);
    if (name !== undefined) {
      tile.root.dataset['name'] = name;
      tile.name.textContent = name;
      tile.avatar.textContent = initials(name);
    }
  }

  /** Shows a remote participant's media; creates the tile if the stream came before the join event. */
  attachStream(participantId: string, stream: MediaStream): void {
    attach(this.ensureTile(participantId), stream);
  }

  detachStream(participantId: string): void {
    const tile = this.tiles.get(participantId);
    if (tile !== undefined) {
      tile.video.srcObject = null;
      tile.root.classList.remove('has-video');
    }
  }

  removeParticipant(participantId: string): void {
    const tile = this.tiles.get(participantId);
    if (tile === undefined) {
      return;
    }
    tile.video.srcObject = null;
    tile.root.remove();
    this.tiles.delete(participantId);
    this.layout();
  }

  setState(state: OverallState): void {
    this.status.dataset['state'] = state;
    this.status.textContent = stateLabels[state];
  }

  showError(message: string): void {
    this.errors.textContent = message;
    this.errors.hidden = false;
  }

  private ensureTile(participantId: string): Tile {
    let tile = this.tiles.get(participantId);
    if (tile === undefined) {
      tile = createTile('');
      tile.root.dataset['participantId'] = participantId;
      this.tiles.set(participantId, tile);
      this.grid.append(tile.root);
      this.layout();
    }
    return tile;
  }

  /** Picks a column count that keeps 1..16 tiles readable; CSS narrows it on small screens. */
  private layout(): void {
    const count = this.tiles.size + (this.local === null ? 0 : 1);
    const columns = count <= 1 ? 1 : count <= 4 ? 2 : count <= 9 ? 3 : 4;
    this.grid.style.setProperty('--columns', String(columns));
    this.grid.style.setProperty('--rows', String(Math.max(1, Math.ceil(count / columns))));
    this.grid.dataset['count'] = String(count);
  }
}

function required(root: Document, testId: string): HTMLElement {
  const found = root.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (found === null) {
    throw new Error(`missing element ${testId}`);
  }
  return found;
}

function createTile(name: string): Tile {
  const root = document.createElement('figure');
  root.className = 'tile';
  root.dataset['testid'] = 'participant-tile';
  if (name !== '') {
    root.dataset['name'] = name;
  }

  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;

  const avatar = document.createElement('div');
  avatar.className = 'avatar';
  avatar.textContent = initials(name);
  avatar.setAttribute('aria-hidden', 'true');

  const caption = document.createElement('figcaption');
  caption.className = 'name';
  caption.textContent = name;

  root.append(video, avatar, caption);
  return { root, video, name: caption, avatar };
}

function attach(tile: Tile, stream: MediaStream): void {
  if (tile.video.srcObject !== stream) {
    tile.video.srcObject = stream;
  }
  tile.root.classList.toggle('has-video', stream.getVideoTracks().length > 0);
  play(tile);
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
  const words = name.replace(/\(you\)$/, '').trim().split(/\s+/).filter((w) => w !== '');
  const letters = words.slice(0, 2).map((w) => [...w][0]?.toUpperCase() ?? '');
  return letters.join('') || '?';
}
