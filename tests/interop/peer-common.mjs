// What every interop peer (werift, libdatachannel, libwebrtc) shares: its command line, the
// hub it joins over, the SSRCs the server's offers announce, the record of what arrived on each
// received track and the report it prints. Each peer prints JSON lines on stdout and only ever
// talks to the loopback URL it is given.
import * as signalR from "@microsoft/signalr";
import { verifyPayload } from "./payload-pattern.mjs";
import { SequenceRecord } from "./sequence-record.mjs";

/** --key=value arguments, with the URL checked to be loopback. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = Object.fromEntries(
    argv.map((a) => {
      const [k, ...v] = a.replace(/^--/, "").split("=");
      return [k, v.join("=")];
    }),
  );
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+$/.test(args.url ?? "")) {
    console.error("--url must be a loopback http URL");
    process.exit(2);
  }
  return {
    ...args,
    room: args.room ?? "interop",
    durationMs: Number(args.duration ?? 8000),
    expectRemotes: Number(args.expectRemotes ?? 0),
    minPackets: Number(args.minPackets ?? 20),
  };
}

export const emit = (event) => console.log(JSON.stringify(event));

/** Every description the peer applied, in order, so a test can check what the server wrote. */
export const emitSdp = (side, type, sdp) => emit({ event: "sdp", side, type, sdp });

/** The meeting hub; --token= is a join token, sent as SignalR's access token. */
export function buildHub(args) {
  return new signalR.HubConnectionBuilder()
    .withUrl(`${args.url}/hubs/sfu`, {
      transport: signalR.HttpTransportType.WebSockets,
      skipNegotiation: true,
      ...(args.token ? { accessTokenFactory: () => args.token } : {}),
    })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
}

/** Logs the room events every peer prints alike. */
export function onRoomEvents(hub) {
  hub.on("ParticipantJoined", (p) => emit({ event: "joined", id: p.id }));
  hub.on("ParticipantLeft", (id) => emit({ event: "left", id }));
  hub.on("TrackAdded", () => {});
  hub.on("TrackRemoved", () => {});
  hub.on("ChatReceived", () => {});
  hub.on("DominantSpeakerChanged", () => {});
  hub.on("SectionsRejected", (sections) => emit({ event: "rejected", sections }));
  hub.on("Removed", (reason) => emit({ event: "removed", reason }));
  hub.on("Warning", (message) => emit({ event: "warning", message }));
}

/**
 * mid -> Map(media SSRC -> msid stream id), from every offer the server sent: the a=ssrc msid
 * lines (RFC 5576 §4.1), minus the RTX SSRC of an a=ssrc-group:FID (RFC 4588 §8.1); and the
 * kind of each mid.
 */
export class AnnouncedSsrcs {
  #byMid = new Map();
  kinds = new Map();

  record(sdp) {
    for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
      const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
      if (mid === undefined) {
        continue;
      }
      this.kinds.set(mid, /^m=(\w+)/.exec(section)[1]);
      const rtx = /^a=ssrc-group:FID \d+ (\d+)/m.exec(section)?.[1];
      for (const [, ssrc, stream] of section.matchAll(/^a=ssrc:(\d+) msid:(\S+)/gm)) {
        if (ssrc !== rtx) {
          if (!this.#byMid.has(mid)) {
            this.#byMid.set(mid, new Map());
          }
          this.#byMid.get(mid).set(Number(ssrc), stream);
        }
      }
    }
  }

  of(mid) {
    return this.#byMid.get(mid) ?? new Map();
  }
}

const MISMATCH_SAMPLES = 5;

/** What arrived on one received track whose payloads follow payload-pattern.mjs. */
export class ReceivedTrack {
  constructor(kind, streamId, mid, videoCodec = "VP8") {
    this.kind = kind;
    this.videoCodec = videoCodec;
    this.streamId = streamId;
    this.mid = mid;
    this.packets = 0;
    this.ssrcs = new Set();
    this.verified = 0;
    this.mismatches = 0;
    this.mismatchSamples = [];
    // Sequence number and timestamp minus what the counter says they were at the publisher:
    // one value each when the server renumbers consistently, resent packets included.
    this.sequenceOffsets = new Set();
    this.timestampOffsets = new Set();
    this.sequence = kind === "video" ? new SequenceRecord() : null;
  }

  onRtp(ssrc, sequenceNumber, timestamp, payload) {
    this.packets++;
    this.ssrcs.add(ssrc);
    this.sequence?.add(sequenceNumber, Date.now());
    const check = verifyPayload(payload, this.streamId, this.kind, this.videoCodec);
    if (check.ok) {
      this.verified++;
      this.sequenceOffsets.add((sequenceNumber - check.counter) & 0xffff);
      this.timestampOffsets.add((timestamp - check.counter * (this.kind === "audio" ? 960 : 3000)) >>> 0);
    } else {
      this.mismatch(check.reason);
    }
  }

  mismatch(reason) {
    this.mismatches++;
    if (this.mismatchSamples.length < MISMATCH_SAMPLES) {
      this.mismatchSamples.push(reason);
    }
  }

  summary(now, announced) {
    return {
      kind: this.kind,
      streamId: this.streamId,
      mid: this.mid,
      packets: this.packets,
      ssrcs: [...this.ssrcs],
      announcedSsrcs: Object.fromEntries(announced.of(this.mid)),
      verified: this.verified,
      mismatches: this.mismatches,
      mismatchSamples: this.mismatchSamples,
      sequenceOffsets: this.sequenceOffsets.size,
      timestampOffsets: this.timestampOffsets.size,
      sequence: this.sequence?.summary(now) ?? null,
    };
  }
}

/** Resolves once `expectRemotes` tracks each counted `minPackets`, or after `durationMs`. */
export function untilFlowing(args, counts) {
  const started = Date.now();
  return new Promise((resolve) => {
    const check = setInterval(() => {
      const flowing = counts().filter((n) => n >= args.minPackets).length;
      if ((args.expectRemotes > 0 && flowing >= args.expectRemotes) || Date.now() - started > args.durationMs) {
        clearInterval(check);
        resolve();
      }
    }, 100);
  });
}

/** A promise chain that runs one negotiation step at a time, like a browser's operations chain. */
export function serializer() {
  let chain = Promise.resolve();
  return (step) => (chain = chain.then(step).catch((e) => emit({ event: "error", message: String(e?.stack ?? e) })));
}

/** The 12-byte RTP header of RFC 3550 §5.1 (no CSRCs, no extension) followed by `payload`. */
export function buildRtp(payloadType, marker, sequenceNumber, timestamp, ssrc, payload) {
  const packet = Buffer.alloc(12 + payload.length);
  packet[0] = 0x80;
  packet[1] = (marker ? 0x80 : 0) | payloadType;
  packet.writeUInt16BE(sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(timestamp >>> 0, 4);
  packet.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(packet, 12);
  return packet;
}

/**
 * Reads an RTP packet (RFC 3550 §5.1, with CSRCs, an RFC 8285 extension block and padding
 * skipped), or returns null for RTCP (RFC 5761 §4: payload types 64-95 with the marker) and
 * anything too short.
 */
export function parseRtp(packet) {
  if (packet.length < 12 || packet[0] >> 6 !== 2) {
    return null;
  }
  const pt = packet[1] & 0x7f;
  if (pt >= 64 && pt <= 95) {
    return null;
  }
  let offset = 12 + (packet[0] & 0x0f) * 4;
  if (packet[0] & 0x10) {
    if (packet.length < offset + 4) {
      return null;
    }
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (packet[0] & 0x20) {
    end -= packet[packet.length - 1];
  }
  if (offset > end) {
    return null;
  }
  return {
    payloadType: pt,
    marker: (packet[1] & 0x80) !== 0,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
  };
}
