// A participant built on werift, a WebRTC stack independent of ours: it joins a room over
// the hub, publishes synthetic Opus and VP8 RTP, answers the server's offers, and reports
// what it received as JSON lines on stdout. Only ever talks to the loopback URL it is given.
import * as signalR from "@microsoft/signalr";
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from "werift";

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
        rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
      }),
    ],
  },
});

const received = new Map(); // track key -> { kind, streamId, packets }
pc.ontrack = ({ track, streams }) => {
  const streamId = streams?.[0]?.id ?? "?";
  const key = `${streamId}/${track.id}/${track.kind}`;
  const entry = { kind: track.kind, streamId, packets: 0, ssrcs: new Set() };
  received.set(key, entry);
  track.onReceiveRtp.subscribe((rtp) => {
    entry.packets++;
    entry.ssrcs.add(rtp.header.ssrc);
  });
  emit({ event: "track", kind: track.kind, streamId });
};
pc.connectionStateChange.subscribe((state) => emit({ event: "connection", state }));

const audio = new MediaStreamTrack({ kind: "audio" });
const video = new MediaStreamTrack({ kind: "video" });
pc.addTransceiver(audio, { direction: "sendonly" });
pc.addTransceiver(video, { direction: "sendonly" });

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
let audioSeq = 1000, audioTs = 0, videoSeq = 5000, videoTs = 0, frame = 0;
const audioTimer = setInterval(() => {
  const payload = Buffer.alloc(60, 0xab);
  audio.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 111, sequenceNumber: audioSeq++ & 0xffff, timestamp: audioTs >>> 0, marker: false }), payload));
  audioTs += 960;
}, 20);
const videoTimer = setInterval(() => {
  const key = frame % 10 === 0;
  // RFC 7741: descriptor with S=1, PID=0; then the VP8 frame tag, P=0 on keyframes (RFC 6386 §9.1).
  const header = key
    ? Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00])
    : Buffer.from([0x10, 0x11, 0x02, 0x00]);
  const payload = Buffer.concat([header, Buffer.alloc(800, frame & 0xff)]);
  video.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: videoSeq++ & 0xffff, timestamp: videoTs >>> 0, marker: true }), payload));
  videoTs += 3000;
  frame++;
}, 33);

const started = Date.now();
const summary = () => [...received.values()].map((r) => ({ kind: r.kind, streamId: r.streamId, packets: r.packets, ssrcs: r.ssrcs.size }));
await new Promise((resolve) => {
  const check = setInterval(() => {
    const flowing = [...received.values()].filter((r) => r.packets >= minPackets).length;
    if ((expectRemotes > 0 && flowing >= expectRemotes) || Date.now() - started > durationMs) {
      clearInterval(check);
      resolve();
    }
  }, 100);
});
emit({ event: "report", connectionState: pc.connectionState, tracks: summary(), srtpProfile: pc.dtlsTransports?.[0]?.srtp?.profile ?? null });
// Keep publishing while lingering, so peers that are still counting keep receiving.
if (args.linger) {
  await new Promise((r) => setTimeout(r, Number(args.linger)));
}
clearInterval(audioTimer);
clearInterval(videoTimer);
await hub.stop();
await pc.close();
process.exit(0);
