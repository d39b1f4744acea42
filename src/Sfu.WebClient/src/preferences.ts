// What the lobby remembers between visits. Storage can be unavailable (private modes,
// blocked cookies): then nothing is remembered and nothing fails.

const nicknameKey = 'sfu.nickname';
const roomKey = 'sfu.room';

function read(key: string): string {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    return '';
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembering is acceptable.
  }
}

export const preferences = {
  get nickname(): string {
    return read(nicknameKey);
  },
  set nickname(value: string) {
    write(nicknameKey, value);
  },
  get room(): string {
    return read(roomKey);
  },
  set room(value: string) {
    write(roomKey, value);
  },
};

/** The room page's address for a room and nickname: /room/{room}?name={nick}. */
export function roomUrl(room: string, nickname: string): string {
  return `/room/${encodeURIComponent(room)}?name=${encodeURIComponent(nickname)}`;
}
