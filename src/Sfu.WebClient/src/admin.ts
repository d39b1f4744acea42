// The admin dashboard at /admin: polls the admin API every second, charts the server's
// recent history with uPlot and lists rooms → participants → tracks with kick and close.
// The page is served only with the admin key; its requests carry the key's cookie.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { AdminApi, type LayerDetail, type ParticipantDetail, type PublishedTrackDetail, type RoomDetail, type RoomSummary, type StatsResponse, type SubscriptionDetail } from './admin-contracts';

const refreshMs = 1000;
const armMs = 5000;

class Unauthorized extends Error {}

async function api<T>(path: string, init?: RequestInit): Promise<T | null> {
  const response = await fetch(`${AdminApi}${path}`, { credentials: 'same-origin', cache: 'no-store', ...init });
  if (response.status === 401) {
    throw new Unauthorized('the admin session ended');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new Error(body?.error ?? `${response.status} ${response.statusText}`);
  }
  return response.status === 204 ? null : ((await response.json()) as T);
}

// ---- formatting --------------------------------------------------------------------------

function bitrate(bps: number): string {
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toFixed(2)} Mb/s`;
  if (bps >= 1_000) return `${(bps / 1_000).toFixed(0)} kb/s`;
  return `${bps.toFixed(0)} b/s`;
}

/** Axis labels: short enough for the axis gutter (2.5M, 800k). */
function compactBitrate(bps: number): string {
  if (bps >= 1_000_000) return `${+(bps / 1_000_000).toFixed(1)}M`;
  if (bps >= 1_000) return `${+(bps / 1_000).toFixed(0)}k`;
  return `${bps.toFixed(0)}`;
}

const count = (n: number): string => Math.round(n).toLocaleString('en');
const percent = (fraction: number): string => `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.001 ? 2 : 1)} %`;
const ms = (value: number | null): string => (value === null ? '–' : `${value.toFixed(1)} ms`);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// ---- charts ------------------------------------------------------------------------------

interface SeriesSpec {
  readonly label: string;
  readonly color: string;
  readonly scale?: string;
  readonly value: (s: StatsResponse) => number[];
  readonly format: (v: number) => string;
}

interface ChartSpec {
  /** Fixed series, or series read off the stats (one per media thread): the plot is rebuilt when they change. */
  readonly series: readonly SeriesSpec[] | ((s: StatsResponse) => readonly SeriesSpec[]);
  readonly axes: readonly { readonly scale: string; readonly format: (v: number) => string; readonly side?: 1 | 3 }[];
}

const palette = { blue: '#4f7cff', green: '#30a46c', amber: '#f5a524', red: '#e5484d', violet: '#a064ff', teal: '#12a5b4' };

const specs: Record<string, ChartSpec> = {
  forwarded: {
    series: [{ label: 'packets/s', color: palette.blue, value: (s) => s.forwardedPacketsPerSecond, format: count }],
    axes: [{ scale: 'y', format: count }],
  },
  bitrate: {
    series: [
      { label: 'in', color: palette.green, value: (s) => s.bitrateIn, format: bitrate },
      { label: 'out', color: palette.blue, value: (s) => s.bitrateOut, format: bitrate },
    ],
    axes: [{ scale: 'y', format: compactBitrate }],
  },
  participants: {
    series: [
      { label: 'participants', color: palette.violet, value: (s) => s.participants, format: count },
      { label: 'rooms', color: palette.teal, value: (s) => s.rooms, format: count },
    ],
    axes: [{ scale: 'y', format: count }],
  },
  cpu: {
    series: [
      { label: 'CPU', color: palette.amber, value: (s) => s.cpuPercent, format: (v) => `${v.toFixed(1)} %` },
      { label: 'GC pause', color: palette.red, scale: 'gc', value: (s) => s.gcPauseMsPerSecond, format: (v) => `${v.toFixed(2)} ms/s` },
    ],
    axes: [
      { scale: 'y', format: (v) => `${v.toFixed(0)}%` },
      { scale: 'gc', format: (v) => `${v.toFixed(0)}ms`, side: 1 },
    ],
  },
  quality: {
    series: [
      { label: 'loss', color: palette.red, value: (s) => s.lossPercent, format: (v) => `${v.toFixed(2)} %` },
      { label: 'RTT', color: palette.teal, scale: 'rtt', value: (s) => s.roundTripMs, format: (v) => `${v.toFixed(1)} ms` },
    ],
    axes: [
      { scale: 'y', format: (v) => `${v.toFixed(1)}%` },
      { scale: 'rtt', format: (v) => `${v.toFixed(0)}ms`, side: 1 },
    ],
  },
  heap: {
    series: [{ label: 'heap', color: palette.violet, value: (s) => s.gcHeapMegabytes, format: (v) => `${v.toFixed(1)} MB` }],
    axes: [{ scale: 'y', format: (v) => `${v.toFixed(0)} MB` }],
  },
  threads: {
    series: (stats) => [
      ...stats.mediaThreads.map((thread, i) => ({
        label: threadLabel(thread.name),
        color: threadColors[i % threadColors.length] ?? palette.blue,
        value: (s: StatsResponse) => s.mediaThreads.find((t) => t.name === thread.name)?.cpuPercent ?? [],
        format: (v: number) => `${v.toFixed(1)} %`,
      })),
      { label: 'split', color: palette.red, scale: 'split', value: (s) => s.splitFanOutsPerSecond, format: (v) => `${count(v)}/s` },
    ],
    axes: [
      { scale: 'y', format: (v) => `${v.toFixed(0)}%` },
      // Ticks of a quiet server fall between 0 and 1: whole numbers would repeat.
      { scale: 'split', format: (v) => (v < 10 ? `${+v.toFixed(1)}` : count(v)), side: 1 },
    ],
  },
};

const threadColors = [palette.blue, palette.green, palette.amber, palette.violet, palette.teal];

/** "sfu-media-rx-0" → "receive 0", "sfu-media-fo-1" → "fan-out 1". */
function threadLabel(name: string): string {
  const match = /-(rx|fo)-(\d+)$/.exec(name);
  return match === null ? name : `${match[1] === 'rx' ? 'receive' : 'fan-out'} ${match[2]}`;
}

class Chart {
  private plot: uPlot | null = null;
  private series: readonly SeriesSpec[] = [];
  private labels = '';

  constructor(
    private readonly host: HTMLElement,
    private readonly spec: ChartSpec,
  ) {
    if (Array.isArray(spec.series)) {
      this.build(spec.series);
    }
    new ResizeObserver(() => this.plot?.setSize({ width: Math.max(200, host.clientWidth), height: host.clientHeight || 180 })).observe(host);
  }

  update(stats: StatsResponse): void {
    const series = typeof this.spec.series === 'function' ? this.spec.series(stats) : this.spec.series;
    if (this.plot === null || series.map((s) => s.label).join('|') !== this.labels) {
      this.build(series);
    }
    this.plot?.setData([stats.time, ...this.series.map((s) => s.value(stats))]);
    // Tests (and people with devtools) can see how much the chart holds, and what.
    this.host.dataset['points'] = String(stats.time.length);
    this.host.dataset['series'] = this.labels;
  }

  private build(series: readonly SeriesSpec[]): void {
    this.plot?.destroy();
    this.series = series;
    this.labels = series.map((s) => s.label).join('|');
    const grid = { stroke: 'rgb(255 255 255 / 6%)', width: 1 };
    const axisColor = '#9aa3b2';
    const scales: uPlot.Scales = { x: { time: true } };
    for (const axis of this.spec.axes) {
      scales[axis.scale] = { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] };
    }
    const opts: uPlot.Options = {
      width: Math.max(200, this.host.clientWidth),
      height: this.host.clientHeight || 180,
      scales,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          fill: `${s.color}22`,
          scale: s.scale ?? 'y',
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : s.format(v)),
        })),
      ],
      axes: [
        { stroke: axisColor, grid, ticks: grid },
        ...this.spec.axes.map((a) => ({
          scale: a.scale,
          side: a.side ?? 3,
          stroke: axisColor,
          grid: a.side === 1 ? { show: false } : grid,
          ticks: grid,
          size: 64,
          values: (_u: uPlot, ticks: number[]) => ticks.map(a.format),
        })),
      ],
    };
    this.plot = new uPlot(opts, [[], ...series.map(() => [])], this.host);
  }
}

// ---- rooms table -------------------------------------------------------------------------

/**
 * Which destructive button was clicked once, until when. Kept outside the DOM because the
 * table is rebuilt on every refresh, and a second click must find the button still armed.
 */
let armed: { readonly key: string; readonly until: number } | null = null;

/** A button that needs a second click within a few seconds, so one stray click removes no one. */
function confirmButton(label: string, testId: string, key: string, action: () => Promise<void>): HTMLButtonElement {
  const button = el('button', { type: 'button', className: 'danger small', textContent: label });
  button.dataset['testid'] = testId;
  const isArmed = (): boolean => armed !== null && armed.key === key && Date.now() < armed.until;
  if (isArmed()) {
    button.dataset['armed'] = '';
    button.textContent = 'Click again to confirm';
  }
  button.addEventListener('click', () => {
    if (!isArmed()) {
      armed = { key, until: Date.now() + armMs };
      button.dataset['armed'] = '';
      button.textContent = 'Click again to confirm';
      return;
    }
    armed = null;
    button.disabled = true;
    button.textContent = 'Working…';
    action()
      .catch((e: unknown) => showError(e))
      .finally(() => void refresh());
  });
  return button;
}

/** " (2 paused)" when the participant paused some of what it receives, else "". */
function pausedNote(down: readonly SubscriptionDetail[]): string {
  const paused = down.filter((d) => d.paused).length;
  return paused === 0 ? '' : ` (${paused} paused)`;
}

/** " · 1 reduced, 1 paused for bandwidth" when its downlink holds some subscriptions back, else "". */
function bandwidthNote(down: readonly SubscriptionDetail[]): string {
  const reduced = down.filter((d) => d.bandwidth === 'reduced').length;
  const paused = down.filter((d) => d.bandwidth === 'paused').length;
  return reduced + paused === 0 ? '' : ` · ${reduced} reduced, ${paused} paused for bandwidth`;
}

/** " · est 1.2 Mbps · alloc 900 kbps" once the participant's downlink is estimated, else "". */
function estimateNote(p: ParticipantDetail): string {
  return p.downlinkEstimate === null ? '' : ` · est ${bitrate(p.downlinkEstimate)} · alloc ${bitrate(p.allocatedBitrate)}`;
}

function participantRows(room: string, p: ParticipantDetail): HTMLTableRowElement[] {
  const state = el('span', { className: `pill ${p.connected ? 'ok' : 'warn'}`, textContent: p.connected ? 'connected' : 'connecting' });
  // How its media reaches us: host udp, host tcp (ICE-TCP) or relay (TURN).
  const pair = el('span', { className: 'id', textContent: p.candidatePair ?? '' });
  pair.dataset['testid'] = 'candidate-pair';
  const down = p.subscriptions;
  const rtts = down.map((d) => d.roundTripMs).filter((v): v is number => v !== null);
  const avgRtt = rtts.length === 0 ? null : rtts.reduce((a, b) => a + b, 0) / rtts.length;
  const received = down.reduce((a, d) => a + d.bitrate, 0);
  const kick = confirmButton('Kick', 'kick-button', `kick:${room}/${p.id}`, async () => {
    await api(`/rooms/${encodeURIComponent(room)}/participants/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
  });
  const row = el(
    'tr',
    { className: 'participant' },
    el('td', {}, p.displayName, ' ', el('span', { className: 'id', textContent: p.id })),
    el('td', {}, state, ' ', pair),
    el('td', { textContent: p.srtpProfile ?? '–' }),
    el('td', { className: 'num', textContent: ms(p.dtlsHandshakeMs) }),
    el('td', { className: 'num', textContent: `↓ ${bitrate(received)}${estimateNote(p)}` }),
    el('td', { className: 'num', textContent: `${down.length} sub${pausedNote(down)}${bandwidthNote(down)} · RTT ${ms(avgRtt)}` }),
    el('td', { className: 'num' }, kick),
  );
  row.dataset['testid'] = 'participant-row';
  row.dataset['participantId'] = p.id;
  row.dataset['name'] = p.displayName;

  const tracks = p.published.map((t) => {
    const tr = el(
      'tr',
      { className: 'track' },
      el('td', {}, el('span', { className: `pill ${t.kind}`, textContent: t.kind }), ' ', t.codec),
      el('td', { className: 'id', textContent: `ssrc ${t.ssrc}` }),
      el('td', { textContent: `${t.subscribers} subscriber${t.subscribers === 1 ? '' : 's'}` }),
      el('td', { className: 'num', textContent: `jitter ${t.jitterMs.toFixed(1)} ms` }),
      el('td', { className: 'num', textContent: `↑ ${bitrate(t.bitrate)}` }),
      el('td', { className: 'num', textContent: `loss ${percent(t.packetLoss)}` }),
      el('td', { className: 'num id', textContent: `${count(t.packets)} pkts` }),
    );
    tr.dataset['testid'] = 'track-row';
    tr.dataset['kind'] = t.kind;
    return [tr, ...layerRows(p, t)];
  });
  const subscriptions = down.filter((d) => d.layer !== null || d.targetLayer !== null).map((d) => subscriptionRow(p, d));
  return [row, ...tracks.flat(), ...subscriptions];
}

/** A simulcast track's layers under it: rid, the size its keyframes declare, bitrate, and whether the publisher sends it. */
function layerRows(p: ParticipantDetail, t: PublishedTrackDetail): HTMLTableRowElement[] {
  if (t.layers.length < 2) {
    return [];
  }
  return t.layers.map((l: LayerDetail) => {
    const state = el('span', { className: `pill ${l.active ? 'ok' : 'warn'}`, textContent: l.active ? 'active' : 'paused' });
    const tr = el(
      'tr',
      { className: 'layer' },
      el('td', { className: 'id', textContent: `↳ layer ${l.rid ?? ''}` }),
      el('td', { textContent: l.width > 0 ? `${l.width}×${l.height}` : 'size unknown' }),
      el('td', {}, state),
      el('td', {}),
      el('td', { className: 'num', textContent: `↑ ${bitrate(l.bitrate)}` }),
      el('td', {}),
      el('td', {}),
    );
    tr.dataset['testid'] = 'layer-row';
    tr.dataset['publisher'] = p.displayName;
    tr.dataset['rid'] = l.rid ?? '';
    tr.dataset['active'] = String(l.active);
    return tr;
  });
}

/** A simulcast video this participant receives: the layer forwarded now and the one it should get. */
function subscriptionRow(p: ParticipantDetail, d: SubscriptionDetail): HTMLTableRowElement {
  const switching = d.layer !== d.targetLayer;
  const tr = el(
    'tr',
    { className: 'subscription' },
    el('td', { className: 'id', textContent: `↓ from ${d.publisherId}` }),
    el('td', { textContent: `layer ${d.layer ?? '–'}${switching ? ` → ${d.targetLayer ?? '–'}` : ''}` }),
    el('td', {}, el('span', { className: `pill ${d.paused ? 'warn' : 'ok'}`, textContent: d.paused ? 'paused' : 'forwarding' })),
    el('td', {}),
    el('td', { className: 'num', textContent: `↓ ${bitrate(d.bitrate)}` }),
    el('td', { className: 'num', textContent: `loss ${percent(d.fractionLost)}` }),
    el('td', {}),
  );
  tr.dataset['testid'] = 'subscription-row';
  tr.dataset['subscriber'] = p.displayName;
  tr.dataset['layer'] = d.layer ?? '';
  tr.dataset['targetLayer'] = d.targetLayer ?? '';
  return tr;
}

function roomCard(summary: RoomSummary, detail: RoomDetail | null): HTMLElement {
  const close = confirmButton('Close room', 'close-room-button', `close:${summary.name}`, async () => {
    await api(`/rooms/${encodeURIComponent(summary.name)}`, { method: 'DELETE' });
  });
  const head = el(
    'div',
    { className: 'room-head' },
    el('h3', { textContent: summary.name }),
    el('span', {
      className: 'meta',
      textContent: `${summary.participants} participant${summary.participants === 1 ? '' : 's'} · ${summary.publishedTracks} tracks · in ${bitrate(summary.bitrateIn)} · out ${bitrate(summary.bitrateOut)}`,
    }),
    close,
  );
  const head2 = el(
    'tr',
    {},
    ...['Participant / track', 'State', 'SRTP', 'DTLS', 'Bitrate', 'Quality', ''].map((h) => el('th', { textContent: h })),
  );
  const body = el('tbody');
  for (const p of detail?.participants ?? []) {
    body.append(...participantRows(summary.name, p));
  }
  const card = el('article', { className: 'room-card' }, head, el('table', { className: 'participants' }, el('thead', {}, head2), body));
  card.dataset['testid'] = 'room-card';
  card.dataset['room'] = summary.name;
  return card;
}

// ---- page --------------------------------------------------------------------------------

const charts = new Map<string, Chart>();
for (const figure of document.querySelectorAll<HTMLElement>('[data-chart]')) {
  const spec = specs[figure.dataset['chart'] ?? ''];
  const plot = figure.querySelector<HTMLElement>('.plot');
  if (spec !== undefined && plot !== null) {
    charts.set(figure.dataset['chart'] ?? '', new Chart(plot, spec));
  }
}

const status = document.querySelector<HTMLElement>('[data-testid="admin-status"]');
const errorBanner = document.querySelector<HTMLElement>('[data-testid="admin-error"]');
const roomList = document.querySelector<HTMLElement>('[data-testid="room-list"]');
const noRooms = document.querySelector<HTMLElement>('[data-testid="no-rooms"]');

function setText(testId: string, text: string): void {
  const node = document.querySelector(`[data-testid="${testId}"]`);
  if (node !== null) node.textContent = text;
}

function showError(error: unknown): void {
  if (error instanceof Unauthorized) {
    location.assign('/admin');
    return;
  }
  if (errorBanner !== null) {
    errorBanner.textContent = error instanceof Error ? error.message : String(error);
    errorBanner.hidden = false;
  }
  if (status !== null) {
    status.dataset['state'] = 'failed';
    status.textContent = 'Not updating';
  }
}

const last = <T>(values: readonly T[]): T | undefined => values[values.length - 1];

function showStats(stats: StatsResponse): void {
  for (const chart of charts.values()) {
    chart.update(stats);
  }
  setText('kpi-rooms', count(last(stats.rooms) ?? 0));
  setText('kpi-participants', count(last(stats.participants) ?? 0));
  setText('kpi-forwarded', `${count(last(stats.forwardedPacketsPerSecond) ?? 0)} pkt/s`);
  setText('kpi-bitrate-in', bitrate(last(stats.bitrateIn) ?? 0));
  setText('kpi-bitrate-out', bitrate(last(stats.bitrateOut) ?? 0));
  setText('kpi-dropped', count(stats.totals.packetsDropped));
  setText('kpi-repaired', count(stats.totals.packetsRepaired));
}

let inFlight = false;

async function refresh(): Promise<void> {
  if (inFlight) return;
  inFlight = true;
  try {
    const [stats, rooms] = await Promise.all([api<StatsResponse>('/stats'), api<RoomSummary[]>('/rooms')]);
    const details = await Promise.all(
      (rooms ?? []).map((r) => api<RoomDetail>(`/rooms/${encodeURIComponent(r.name)}`).catch(() => null)),
    );
    if (stats !== null) showStats(stats);
    // While a kick or close waits for its confirming click, its button stays the same element.
    if (armed === null || Date.now() >= armed.until) {
      roomList?.replaceChildren(...(rooms ?? []).map((r, i) => roomCard(r, details[i] ?? null)));
    }
    if (noRooms !== null) noRooms.hidden = (rooms ?? []).length > 0;
    if (errorBanner !== null) errorBanner.hidden = true;
    if (status !== null) {
      status.dataset['state'] = 'connected';
      status.textContent = `Live · ${new Date().toLocaleTimeString('en-GB')}`;
    }
  } catch (error) {
    showError(error);
  } finally {
    inFlight = false;
  }
}

void refresh();
setInterval(() => void refresh(), refreshMs);
