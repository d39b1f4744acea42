// The room page at /room/{room}?name={nick}: wires an SfuClient to the RoomView.
import { preferences } from './preferences';
import { RoomView } from './room-view';
import { SfuClient } from './sfu-client';

declare global {
  interface Window {
    /** The page's client, exposed so tests (and curious developers) can read pc.getStats(). */
    sfu?: SfuClient;
  }
}

function roomFromPath(pathname: string): string {
  const match = /^\/room\/([^/]+)\/?$/.exec(pathname);
  return match?.[1] === undefined ? '' : decodeURIComponent(match[1]);
}

const room = roomFromPath(location.pathname);
const name = (new URLSearchParams(location.search).get('name') ?? preferences.nickname).trim();

if (room === '' || name === '') {
  // Without a nickname we cannot join: let the lobby ask for one, keeping the room.
  location.replace(room === '' ? '/' : `/?room=${encodeURIComponent(room)}`);
} else {
  preferences.nickname = name;
  void start(room, name);
}

async function start(roomName: string, nickname: string): Promise<void> {
  const view = new RoomView(document, roomName);
  const client = new SfuClient();
  window.sfu = client;

  client.on('localStream', (stream) => {
    view.showLocal(nickname, stream);
    view.setLocalId(client.participantId ?? '');
  });
  client.on('connectionState', (s) => view.setState(s.overall));
  client.on('participantJoined', (p) => view.upsertParticipant(p.id, p.displayName));
  client.on('participantLeft', (p) => view.removeParticipant(p.participantId));
  client.on('remoteTrack', (t) => view.attachStream(t.participantId, t.stream));
  client.on('remoteStreamRemoved', (s) => view.detachStream(s.participantId));
  client.on('error', (e) => view.showError(e.message));
  client.on('removed', (r) => view.showError(r.reason));

  view.setState(client.state.overall);
  view.showLocal(nickname, null);

  document.querySelector('[data-testid="leave-button"]')?.addEventListener('click', () => {
    void client.close().finally(() => location.assign('/'));
  });
  // Closing the tab: tell the server right away when we can; it also notices the socket closing.
  addEventListener('pagehide', () => void client.close());

  try {
    await client.join(roomName, nickname);
  } catch (error) {
    view.showError(`Could not join: ${error instanceof Error ? error.message : String(error)}`);
    view.setState('failed');
  }
}
