// Shapes of the admin API under /api/admin (src/Sfu.Host/Admin/AdminContracts.cs), camelCase.

export interface RoomSummary {
  readonly name: string;
  readonly createdAt: string;
  readonly participants: number;
  readonly publishedTracks: number;
  readonly subscriptions: number;
  readonly bitrateIn: number;
  readonly bitrateOut: number;
}

export interface PublishedTrackDetail {
  readonly trackId: string;
  readonly kind: string;
  readonly codec: string;
  readonly ssrc: number;
  readonly packets: number;
  readonly bytes: number;
  readonly bitrate: number;
  readonly packetLoss: number;
  readonly jitterMs: number;
  readonly subscribers: number;
  /** One per encoding, lowest first: one without simulcast (rid null), else one per rid. */
  readonly layers: readonly LayerDetail[];
}

/** One encoding of a published video: rid, the size its keyframes declare (0 while unknown), bitrate, and whether the publisher is asked to send it. */
export interface LayerDetail {
  readonly rid: string | null;
  readonly width: number;
  readonly height: number;
  readonly bitrate: number;
  readonly active: boolean;
}

export interface SubscriptionDetail {
  readonly publisherId: string;
  readonly trackId: string;
  readonly kind: string;
  readonly codec: string;
  readonly ssrc: number;
  readonly packets: number;
  readonly bitrate: number;
  readonly fractionLost: number;
  readonly jitterMs: number;
  readonly roundTripMs: number | null;
  /** The subscriber asked not to receive this track for now (e.g. its tab is hidden). */
  readonly paused: boolean;
  /** What the subscriber's downlink allows: all it asks for, a lower layer, or nothing for now. */
  readonly bandwidth: 'full' | 'reduced' | 'paused';
  /** With simulcast, the rid of the layer forwarded now and of the one the subscriber should get. */
  readonly layer: string | null;
  readonly targetLayer: string | null;
}

export interface ParticipantDetail {
  readonly id: string;
  readonly displayName: string;
  readonly joinedAt: string;
  readonly connected: boolean;
  readonly srtpProfile: string | null;
  readonly dtlsHandshakeMs: number | null;
  /** How its media reaches us: 'host udp', 'host tcp' (ICE-TCP) or 'relay' (TURN); null before ICE selects a pair. */
  readonly candidatePair: string | null;
  readonly published: readonly PublishedTrackDetail[];
  readonly subscriptions: readonly SubscriptionDetail[];
  /** What its downlink carries (bit/s) by its congestion feedback; null until it sent any. */
  readonly downlinkEstimate: number | null;
  /** What the stream allocator gave its subscriptions together (bit/s). */
  readonly allocatedBitrate: number;
}

export interface RoomDetail {
  readonly name: string;
  readonly createdAt: string;
  readonly participants: readonly ParticipantDetail[];
}

export interface StatsTotals {
  readonly packetsReceived: number;
  readonly packetsForwarded: number;
  readonly packetsDropped: number;
  readonly droppedByReason: Readonly<Record<string, number>>;
  readonly nacksReceived: number;
  readonly plisSent: number;
  /** NACKs sent to publishers for loss on their uplink. */
  readonly nacksSent: number;
  /** Packets lost on a publisher's uplink that its retransmission restored. */
  readonly packetsRepaired: number;
  readonly layerSwitches: number;
}

export interface StatsResponse {
  readonly intervalSeconds: number;
  readonly time: number[];
  readonly forwardedPacketsPerSecond: number[];
  readonly bitrateIn: number[];
  readonly bitrateOut: number[];
  readonly participants: number[];
  readonly rooms: number[];
  readonly cpuPercent: number[];
  readonly gcHeapMegabytes: number[];
  readonly gcPauseMsPerSecond: number[];
  readonly lossPercent: number[];
  readonly roundTripMs: number[];
  /** Each media thread's CPU in percent of one core: receive loops (sfu-media-rx-N) first, then fan-out helpers (sfu-media-fo-N). */
  readonly mediaThreads: MediaThreadSeries[];
  /** Fan-outs the receive loops split over the helpers (they split only while loaded). */
  readonly splitFanOutsPerSecond: number[];
  readonly totals: StatsTotals;
}

export interface MediaThreadSeries {
  readonly name: string;
  readonly cpuPercent: number[];
}

export const AdminApi = '/api/admin';
