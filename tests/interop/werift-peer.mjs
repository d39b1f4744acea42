// A participant built on werift, a WebRTC stack independent of ours: it joins a room over
// the hub, publishes synthetic Opus and VP8 RTP whose payloads carry its id and a packet
// counter (payload-pattern.mjs), answers the server's offers, and reports as JSON lines on
// stdout what it received: per track the SSRCs seen and those the server's offers announced,
// how many payloads matched their publisher's pattern, and for video which sequence numbers
// arrived when (sequence-record.mjs). Only ever talks to the loopback URL it is given.
import * as signalR from "@microsoft/signalr";
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from "werift";
import { makePayload, verifyPayload } from "./payload-pattern.mjs";
import { SequenceRecord } from "./sequence-record.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const url = args.url;
const room = args.room ?? "interop";
const name = args.name ?? "werift";
const durationMs = Number(args.duration ?? 8000);
const expectRemotes = Number(args.expectRemotes ?? 0);
const minPackets = Number(args.minPackets ?? 20);

if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+$/.test(url ?? "")) {
  console.error("--url must be a loopback http URL");
  process.exit(2);
}

const emit = (event) => console.log(JSON.stringify(event));

const pc = new RTCPeerConnection({
  bundlePolicy: "max-bundle",
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ["127.0.0.1"],
  iceInterfaceAddresses: { udp4: "127.0.0.1" },
  codecs: {
    audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2, payloadType: 111 })],
    video: [
      new RTCRtpCodecParameters({
        mimeType: "video/VP8",
        clockRate: 90000,
        payloadType: 96,
        // With "nack" negotiated, werift's receiver NACKs missing video by itself (its
        // NackHandler: a generic NACK every 5 ms while a number is missing, up to 10 times).
        rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
      }),
    ],
  },
});

const MISMATCH_SAMPLES = 5;

// mid -> Map(media SSRC -> msid stream id), from every offer the server sent: the a=ssrc
// msid lines (RFC 5576 §4.1), minus the RTX SSRC of an a=ssrc-group:FID (RFC 4588 §8.1).
const announced = new Map();
function recordAnnounced(sdp) {
  for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
    if (mid === undefined) {
      continue;
    }
    const rtx = /^a=ssrc-group:FID \d+ (\d+)/m.exec(section)?.[1];
    for (const [, ssrc, stream] of section.matchAll(/^a=ssrc:(\d+) msid:(\S+)/gm)) {
      if (ssrc !== rtx) {
        if (!announced.has(mid)) {
          announced.set(mid, new Map());
        }
        announced.get(mid).set(Number(ssrc), stream);
      }
    }
  }
}

const received = new Map(); // track key -> what arrived on it
pc.ontrack = ({ track, streams, transceiver }) => {
  const streamId = streams?.[0]?.id ?? "?";
  const key = `${streamId}/${track.id}/${track.kind}`;
  const entry = {
    kind: track.kind,
    streamId,
    mid: transceiver?.mid ?? null,
    packets: 0,
    ssrcs: new Set(),
    verified: 0,
    mismatches: 0,
    mismatchSamples: [],
    // Sequence number and timestamp minus what the counter says they were at the publisher:
    // one value each when the server renumbers consistently, resent packets included.
    sequenceOffsets: new Set(),
    timestampOffsets: new Set(),
    sequence: track.kind === "video" ? new SequenceRecord() : null,
  };
  received.set(key, entry);
  track.onReceiveRtp.subscribe((rtp) => {
    entry.packets++;
    entry.ssrcs.add(rtp.header.ssrc);
    entry.sequence?.add(rtp.header.sequenceNumber, Date.now());
    const check = verifyPayload(rtp.payload, streamId, track.kind);
    if (check.ok) {
      entry.verified++;
      entry.sequenceOffsets.add((rtp.header.sequenceNumber - check.counter) & 0xffff);
      entry.timestampOffsets.add((rtp.header.timestamp - check.counter * (track.kind === "audio" ? 960 : 3000)) >>> 0);
    } else {
      entry.mismatches++;
      if (entry.mismatchSamples.length < MISMATCH_SAMPLES) {
        entry.mismatchSamples.push(check.reason);
      }
    }
  });
  emit({ event: "track", kind: track.kind, streamId });
};
const sampler = setInterval(() => {
  for (const r of received.values()) {
    r.sequence?.sample(Date.now());
  }
}, 1000);
pc.connectionStateChange.subscribe((state) => emit({ event: "connection", state }));

const audio = new MediaStreamTrack({ kind: "audio" });
const video = new MediaStreamTrack({ kind: "video" });
const published = [
  pc.addTransceiver(audio, { direction: "sendonly" }),
  pc.addTransceiver(video, { direction: "sendonly" }),
];

// One negotiation step at a time, like a browser's operations chain.
let chain = Promise.resolve();
const serialize = (step) => (chain = chain.then(step).catch((e) => emit({ event: "error", message: String(e) })));

// --token= is a join token, sent as SignalR's access token (?access_token= on WebSockets).
const token = args.token;
const hub = new signalR.HubConnectionBuilder()
  .withUrl(`${url}/hubs/sfu`, {
    transport: signalR.HttpTransportType.WebSockets,
    skipNegotiation: true,
    ...(token ? { accessTokenFactory: () => token } : {}),
  })
  .configureLogging(signalR.LogLevel.Warning)
  .build();
hub.on("Offer", (sdp) =>
  serialize(async () => {
    emit({ event: "offer", length: sdp.length });
    recordAnnounced(sdp);
    await pc.setRemoteDescription({ type: "offer", sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await hub.invoke("Answer", pc.localDescription.sdp);
    emit({ event: "answered" });
  }),
);
hub.on("ParticipantJoined", (p) => emit({ event: "joined", id: p.id }));
hub.on("ParticipantLeft", (id) => emit({ event: "left", id }));
hub.on("TrackAdded", () => {});
hub.on("TrackRemoved", () => {});
hub.on("Removed", (reason) => emit({ event: "removed", reason }));
hub.on("Warning", (message) => emit({ event: "warning", message }));

await hub.start();
const join = await hub.invoke("Join", room, name);
emit({ event: "joined-self", id: join.participantId, others: join.participants.length });

// --setup=passive asks the server to take the DTLS client role (RFC 8842 §5.3): the offer
// is sent with a=setup:passive and werift follows the answer's a=setup:active.
const offerSdp = (sdp) => (args.setup === "passive" ? sdp.replaceAll("a=setup:actpass", "a=setup:passive") : sdp);
await serialize(async () => {
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const answer = await hub.invoke("Offer", offerSdp(pc.localDescription.sdp));
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
});

// 50 audio packets/s of 20 ms Opus-shaped payload; 30 video frames/s, a keyframe every 10.
const selfId = join.participantId;
let audioCount = 0, audioSeq = 1000, videoSeq = 5000, frame = 0;
const audioTimer = setInterval(() => {
  const payload = makePayload(selfId, "audio", audioCount);
  audio.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 111, sequenceNumber: audioSeq++ & 0xffff, timestamp: (audioCount * 960) >>> 0, marker: false }), payload));
  audioCount++;
}, 20);
const videoTimer = setInterval(() => {
  const payload = makePayload(selfId, "video", frame);
  video.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: videoSeq++ & 0xffff, timestamp: (frame * 3000) >>> 0, marker: true }), payload));
  frame++;
}, 33);

const started = Date.now();
const summary = (now) =>
  [...received.values()].map((r) => ({
    kind: r.kind,
    streamId: r.streamId,
    mid: r.mid,
    packets: r.packets,
    ssrcs: [...r.ssrcs],
    announcedSsrcs: Object.fromEntries(announced.get(r.mid) ?? []),
    verified: r.verified,
    mismatches: r.mismatches,
    mismatchSamples: r.mismatchSamples,
    sequenceOffsets: r.sequenceOffsets.size,
    timestampOffsets: r.timestampOffsets.size,
    sequence: r.sequence?.summary(now) ?? null,
  }));
await new Promise((resolve) => {
  const check = setInterval(() => {
    const flowing = [...received.values()].filter((r) => r.packets >= minPackets).length;
    if ((expectRemotes > 0 && flowing >= expectRemotes) || Date.now() - started > durationMs) {
      clearInterval(check);
      resolve();
    }
  }, 100);
});
emit({
  event: "report",
  participantId: selfId,
  connectionState: pc.connectionState,
  publishedSsrcs: Object.fromEntries(published.map((t) => [t.kind, t.sender.ssrc])),
  tracks: summary(Date.now()),
  srtpProfile: pc.dtlsTransports?.[0]?.srtp?.profile ?? null });
// Keep publishing while lingering, so peers that are still counting keep receiving.
if (args.linger) {
  await new Promise((r) => setTimeout(r, Number(args.linger)));
}
clearInterval(audioTimer);
clearInterval(videoTimer);
clearInterval(sampler);
await hub.stop();
await pc.close();
process.exit(0);
