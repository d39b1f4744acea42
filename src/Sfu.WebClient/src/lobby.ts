// The lobby at "/": pick a nickname and a room, see the live rooms, then go to /room/{room}?name={nick}
// on the node the server places the room on (this server, unless it is one node of a cluster).
import type { RoomSummary } from './contracts';
import { hubErrorReason } from './hub-errors';
import { preferences, roomUrl } from './preferences';
import { RoomListClient } from './room-list-client';

function element<T extends HTMLElement>(testId: string, type: new () => T): T {
  const found = document.querySelector(`[data-testid="${testId}"]`);
  if (!(found instanceof type)) {
    throw new Error(`missing element ${testId}`);
  }
  return found;
}

const form = element('lobby-form', HTMLFormElement);
const nickname = element('nickname', HTMLInputElement);
const room = element('room-name', HTMLInputElement);
const list = element('room-list', HTMLUListElement);
const empty = element('room-list-empty', HTMLParagraphElement);

const params = new URLSearchParams(location.search);
nickname.value = preferences.nickname;
room.value = params.get('room') ?? preferences.room;
(nickname.value === '' ? nickname : room).focus();

nickname.addEventListener('input', () => {
  preferences.nickname = nickname.value.trim();
});

function go(roomName: string): void {
  const nick = nickname.value.trim();
  if (nick === '' || roomName === '') {
    form.reportValidity();
    return;
  }
  preferences.nickname = nick;
  preferences.room = roomName;
  void placedRoomUrl(roomName, nick).then((url) => location.assign(url));
}

/**
 * The room page on the node that should serve the room (GET /api/rooms/{room}/node: the node
 * already hosting it, else the least loaded); this server's page if the answer names none
 * or the request fails, so a single server behaves as before.
 */
async function placedRoomUrl(roomName: string, nick: string): Promise<string> {
  const path = roomUrl(roomName, nick);
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(roomName)}/node`);
    if (response.ok) {
      const placement = (await response.json()) as { url?: unknown };
      if (typeof placement.url === 'string' && /^https?:\/\//.test(placement.url)) {
        return new URL(path, placement.url).toString();
      }
    }
  } catch {
    // No placement: this server serves the room.
  }
  return path;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!form.reportValidity()) {
    return;
  }
  go(room.value.trim());
});

/** Renders the live rooms as text (room names are user input) with their head counts. */
function render(rooms: readonly RoomSummary[]): void {
  const entries = rooms.map((r) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'room-entry';
    button.dataset['testid'] = 'room-entry';
    button.dataset['room'] = r.name;
    button.dataset['count'] = String(r.participants);
    const name = document.createElement('span');
    name.className = 'room-entry-name';
    name.textContent = r.name;
    const count = document.createElement('span');
    count.className = 'room-entry-count';
    count.dataset['testid'] = 'room-count';
    count.textContent = `${r.participants} ${r.participants === 1 ? 'person' : 'people'}`;
    button.append(name, count);
    button.title = `Join ${r.name}`;
    if (r.capacity > 0 && r.participants >= r.capacity) {
      // Joining would only be refused: say so here instead.
      button.disabled = true;
      button.dataset['full'] = 'true';
      button.title = `${r.name} is full (${r.capacity} people)`;
      const full = document.createElement('span');
      full.className = 'room-entry-full';
      full.textContent = 'Full';
      button.append(full);
    }
    button.addEventListener('click', () => {
      room.value = r.name;
      go(r.name);
    });
    item.append(button);
    return item;
  });
  list.replaceChildren(...entries);
  empty.hidden = rooms.length > 0;
}

const rooms = new RoomListClient(render);
rooms.start().catch((error: unknown) => {
  // In Token mode the server lists no rooms and says so.
  empty.textContent = `The room list is not available: ${hubErrorReason(error)}`;
  empty.hidden = false;
});

