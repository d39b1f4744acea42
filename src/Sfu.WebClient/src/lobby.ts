// The lobby at "/": pick a nickname and a room, then go to /room/{room}?name={nick}.
import { preferences, roomUrl } from './preferences';

function element<T extends HTMLElement>(testId: string, type: new () => T): T {
  const found = document.querySelector(`[data-testid="${testId}"]`);
  if (!(found instanceof type)) {
    throw new Error(`missing element ${testId}`);
  }
  return found;
}

const form = element('lobby-form', HTMLFormElement);
const nickname = element('nickname-input', HTMLInputElement);
const room = element('room-input', HTMLInputElement);

const params = new URLSearchParams(location.search);
nickname.value = preferences.nickname;
room.value = params.get('room') ?? preferences.room;
(nickname.value === '' ? nickname : room).focus();

nickname.addEventListener('input', () => {
  preferences.nickname = nickname.value.trim();
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const nick = nickname.value.trim();
  const roomName = room.value.trim();
  if (nick === '' || roomName === '') {
    form.reportValidity();
    return;
  }
  preferences.nickname = nick;
  preferences.room = roomName;
  location.assign(roomUrl(roomName, nick));
});
