// A participant built on werift, a WebRTC stack independent of ours: it joins a room over
// the hub, publishes synthetic Opus and VP8 RTP whose payloads carry its id and a packet
// counter (payload-pattern.mjs), answers the server's offers, and reports as JSON lines on
// stdout what it received: per track the SSRCs seen and those the server's offers announced,
// how many payloads matched their publisher's pattern, and for video which sequence numbers
// arrived when (sequence-record.mjs). Only ever talks to the loopback URL it is given.
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from "werift";
import { makePayload } from "./payload-pattern.mjs";
import { AnnouncedSsrcs, ReceivedTrack, buildHub, emit, onRoomEvents, parseArgs, serializer, untilFlowing } from "./peer-common.mjs";

const args = parseArgs();
const { room } = args;
const name = args.name ?? "werift";

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

const announced = new AnnouncedSsrcs();
const received = new Map(); // track key -> ReceivedTrack
pc.ontrack = ({ track, streams, transceiver }) => {
  const streamId = streams?.[0]?.id ?? "?";
  const entry = new ReceivedTrack(track.kind, streamId, transceiver?.mid ?? null);
  received.set(`${streamId}/${track.id}/${track.kind}`, entry);
  track.onReceiveRtp.subscribe((rtp) =>
    entry.onRtp(rtp.header.ssrc, rtp.header.sequenceNumber, rtp.header.timestamp, rtp.payload));
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

const serialize = serializer();
const hub = buildHub(args);
hub.on("Offer", (sdp) =>
  serialize(async () => {
    emit({ event: "offer", length: sdp.length });
    announced.record(sdp);
    await pc.setRemoteDescription({ type: "offer", sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await hub.invoke("Answer", pc.localDescription.sdp);
    emit({ event: "answered" });
  }),
);
onRoomEvents(hub);

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

await untilFlowing(args, () => [...received.values()].map((r) => r.packets));
emit({
  event: "report",
  participantId: selfId,
  connectionState: pc.connectionState,
  publishedSsrcs: Object.fromEntries(published.map((t) => [t.kind, t.sender.ssrc])),
  tracks: [...received.values()].map((r) => r.summary(Date.now(), announced)),
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
