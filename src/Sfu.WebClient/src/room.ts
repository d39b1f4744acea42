// The room page at /room/{room}?name={nick}: wires an SfuClient to the views and controls.
// ?mic=off and ?camera=off join with the microphone or camera off; ?simulcast=off publishes
// the camera as one encoding; ?video=640x360 captures at most that size (1280×720 by default)
// for a publisher whose CPU or uplink cannot afford more.
import { ChatView } from './chat-view';
import { hubErrorReason } from './hub-errors';
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

/** The claims of an invite link's join token (a JWT); the server checks it, the page only reads the name. */
function tokenClaims(token: string | null): { readonly name?: string } {
  const payload = token?.split('.')[1];
  if (payload === undefined) {
    return {};
  }
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as { name?: string };
  } catch {
    return {};
  }
}

const params = new URLSearchParams(location.search);
const room = roomFromPath(location.pathname);
// ?token= is an invite link: the token names us (the server uses its name whatever we send).
const accessToken = params.get('token') ?? undefined;
const name = (tokenClaims(accessToken ?? null).name ?? params.get('name') ?? preferences.nickname).trim();

if (room === '' || name === '') {
  // Without a nickname we cannot join: let the lobby ask for one, keeping the room.
  location.replace(room === '' ? '/' : `/?room=${encodeURIComponent(room)}`);
} else {
  preferences.nickname = name;
  // Join after the load event: a video element waiting for its first frame (a camera that
  // is off) delays the load event, and the tab would spin for as long as the call lasts.
  if (document.readyState === 'complete') {
    void start(room, name);
  } else {
    addEventListener('load', () => void start(room, name), { once: true });
  }
}

function button(testId: string): HTMLButtonElement {
  const found = document.querySelector(`[data-testid="${testId}"]`);
  if (!(found instanceof HTMLButtonElement)) {
    throw new Error(`missing button ${testId}`);
  }
  return found;
}

function select(testId: string): HTMLSelectElement {
  const found = document.querySelector(`[data-testid="${testId}"]`);
  if (!(found instanceof HTMLSelectElement)) {
    throw new Error(`missing select ${testId}`);
  }
  return found;
}

/** Shows a toggle's state: pressed = on; the label says what a click does; `off` marks a muted device. */
function setToggle(control: HTMLButtonElement, on: boolean, labels: readonly [string, string], warnWhenOff = true): void {
  control.setAttribute('aria-pressed', String(on));
  control.classList.toggle('off', warnWhenOff && !on);
  const label = control.querySelector('.label');
  if (label !== null) {
    label.textContent = on ? labels[0] : labels[1];
  }
}

/** `?video=WxH`: the capture size to ask for, or undefined for the client's default. */
function captureSize(value: string | null): MediaStreamConstraints | undefined {
  const match = /^(\d{2,4})x(\d{2,4})$/.exec(value ?? '');
  if (match === null) {
    return undefined;
  }
  return { audio: true, video: { width: { ideal: Number(match[1]) }, height: { ideal: Number(match[2]) }, frameRate: { ideal: 30 } } };
}

async function start(roomName: string, nickname: string): Promise<void> {
  const media = captureSize(params.get('video'));
  const client = new SfuClient({
    ...(media === undefined ? {} : { media }),
    startWith: { mic: params.get('mic') !== 'off', camera: params.get('camera') !== 'off' },
    simulcast: params.get('simulcast') !== 'off',
    ...(accessToken === undefined ? {} : { accessToken }),
  });
  window.sfu = client;
  const view = new RoomView(document, roomName, (track, element) => client.watchVideoSize(track, element));
  const chat = new ChatView(document, (text) => client.sendChat(text));
  const micButton = button('toggle-mic');
  const cameraButton = button('toggle-camera');
  const screenButton = button('toggle-screen');
  const micSelect = select('mic-select');
  const cameraSelect = select('camera-select');
  const fail = (what: string) => (e: unknown) => view.showError(`${what}: ${hubErrorReason(e)}`);

  client.on('localStream', (stream) => {
    view.showLocal(nickname, stream);
    view.setLocalId(client.participantId ?? '');
  });
  client.on('localMediaState', (s) => {
    view.setLocalId(client.participantId ?? '');
    view.setLocalMediaState(s);
    setToggle(micButton, s.mic, ['Mute', 'Unmute']);
    setToggle(cameraButton, s.camera, ['Stop video', 'Start video']);
    setToggle(screenButton, s.screen, ['Stop sharing', 'Share screen'], false);
  });
  client.on('connectionState', (s) => view.setState(s.overall));
  client.on('participantJoined', (p) => view.upsertParticipant(p.id, p.displayName));
  client.on('participantLeft', (p) => view.removeParticipant(p.participantId));
  client.on('remoteTrack', (t) => view.addRemoteTrack(t.participantId, t.track));
  client.on('remoteTrackRemoved', (t) => view.removeRemoteTrack(t.participantId, t.track));
  client.on('remoteStreamRemoved', (s) => view.detachStream(s.participantId));
  client.on('mediaState', (s) => view.setMediaState(s));
  client.on('dominantSpeaker', (id) => view.setDominantSpeaker(id));
  client.on('chat', (m) => chat.add(m));
  client.on('chatHistory', (h) => chat.reset(h));
  client.on('recovered', () => view.clearError());
  client.on('error', (e) => view.showError(e.message));
  client.on('warning', (message) => view.showError(message));
  client.on('removed', (r) => view.showError(r.reason));
  client.on('gaveUp', (r) => view.showError(r.reason));
  client.on('relayFallback', (r) => view.showNotice(`Media is relayed through a TURN server: ${r.reason}.`));

  view.setState(client.state.overall);
  view.showLocal(nickname, null);

  micButton.addEventListener('click', () => void client.setMicEnabled(!client.mediaState.mic).catch(fail('Microphone')));
  cameraButton.addEventListener('click', () => void client.setCameraEnabled(!client.mediaState.camera).catch(fail('Camera')));
  screenButton.addEventListener('click', () => {
    const action = client.mediaState.screen ? client.stopScreenShare() : client.startScreenShare();
    void action.catch(fail('Screen share'));
  });
  micSelect.addEventListener('change', () => void client.switchDevice('audioinput', micSelect.value).catch(fail('Microphone')));
  cameraSelect.addEventListener('change', () => void client.switchDevice('videoinput', cameraSelect.value).catch(fail('Camera')));
  button('leave').addEventListener('click', () => {
    void client.close().finally(() => location.assign('/'));
  });
  // Nobody watches a hidden tab: stop the others' video toward it (audio goes on) until it shows again.
  document.addEventListener('visibilitychange', () => {
    void client.setIncomingVideo(document.visibilityState === 'visible').catch(fail('Incoming video'));
  });
  // Closing the tab: leave at once (a beacon outlives the page) rather than after the reconnect grace.
  addEventListener('pagehide', () => client.leaveOnUnload());

  const fillDevices = async (): Promise<void> => {
    const { cameras, microphones } = await client.devices();
    fillSelect(micSelect, microphones, client.currentDeviceId('audio'), 'Microphone');
    fillSelect(cameraSelect, cameras, client.currentDeviceId('video'), 'Camera');
  };
  navigator.mediaDevices.addEventListener('devicechange', () => void fillDevices().catch(fail('Devices')));

  try {
    await client.join(roomName, nickname);
    await fillDevices();
  } catch (error) {
    view.showError(`Could not join: ${hubErrorReason(error)}`);
    view.setState('failed');
  }
}

function fillSelect(target: HTMLSelectElement, devices: readonly MediaDeviceInfo[], current: string | undefined, fallback: string): void {
  target.replaceChildren(
    ...devices.map((d, i) => {
      const option = document.createElement('option');
      option.value = d.deviceId;
      option.textContent = d.label === '' ? `${fallback} ${i + 1}` : d.label;
      option.selected = d.deviceId === current;
      return option;
    }),
  );
  target.disabled = devices.length < 2;
}
