// A participant built on libdatachannel (node-datachannel), a C++ WebRTC stack we did not
// write: it joins a room over the hub, publishes Opus and VP8 RTP it builds itself (or, with
// --videoCodec=H264, H.264 in packetization-mode 0: one NAL unit per packet), whose
// payloads carry its id and a packet counter (payload-pattern.mjs), answers the server's
// offers, and reports what it received in the shape werift-peer.mjs does. libdatachannel
// hands a track's RTP over as it arrived (after SRTP) when no media handler is set, so every
// payload byte is checked.
import nodeDataChannel from "node-datachannel";
import { makePayload } from "./payload-pattern.mjs";
import { AnnouncedSsrcs, ReceivedTrack, buildHub, buildRtp, emit, onRoomEvents, parseArgs, parseRtp, serializer, untilFlowing, emitSdp } from "./peer-common.mjs";

const args = parseArgs();
const name = args.name ?? "libdatachannel";
const AUDIO_PT = 111;
const VIDEO_PT = 96;
const VIDEO_CODEC = args.videoCodec === "H264" ? "H264" : "VP8";

nodeDataChannel.initLogger(args.log ?? "Warning", (level, message) => console.error(`libdatachannel ${level}: ${message}`));
const pc = new nodeDataChannel.PeerConnection(name, { iceServers: [], bindAddress: "127.0.0.1", enableIceUdpMux: false });
pc.onStateChange((state) => emit({ event: "connection", state }));

// libdatachannel signals without trickle here: a description is sent once gathering is done,
// so the server gets our one host candidate inside it.
let pendingLocal = null;
pc.onLocalDescription((sdp, type) => pendingLocal?.({ sdp, type }));
const localDescription = () =>
  new Promise((resolve) => {
    pendingLocal = (d) => {
      pendingLocal = null;
      const wait = () => (pc.gatheringState() === "complete" ? resolve(pc.localDescription() ?? d) : setTimeout(wait, 20));
      wait();
    };
  });

const random32 = () => (Math.random() * 0x100000000) >>> 0;
const ssrcs = { audio: random32(), video: random32() };
const cname = `ndc-${random32()}`;
const streamId = `ndc-stream-${random32()}`;
const audioMedia = new nodeDataChannel.Audio("0", "SendOnly");
audioMedia.addOpusCodec(AUDIO_PT);
audioMedia.addSSRC(ssrcs.audio, cname, streamId, "ndc-audio");
const videoMedia = new nodeDataChannel.Video("1", "SendOnly");
if (VIDEO_CODEC === "H264") {
  // Single NAL unit mode only (RFC 6184 §6.2), Constrained Baseline 3.1.
  videoMedia.addH264Codec(VIDEO_PT, "profile-level-id=42e01f;packetization-mode=0;level-asymmetry-allowed=1");
} else {
  videoMedia.addVideoCodec(VIDEO_PT, "VP8");
}
videoMedia.addSSRC(ssrcs.video, cname, streamId, "ndc-video");
const audioTrack = pc.addTrack(audioMedia);
const videoTrack = pc.addTrack(videoMedia);

const announced = new AnnouncedSsrcs();
const received = new Map(); // mid -> ReceivedTrack
const kept = []; // libdatachannel closes a track whose JS object is collected
pc.onTrack((track) => {
  kept.push(track);
  const mid = track.mid();
  const kind = announced.kinds.get(mid) ?? (track.description().startsWith("audio") ? "audio" : "video");
  const publisher = [...announced.of(mid).values()][0] ?? "?";
  const entry = new ReceivedTrack(kind, publisher, mid, VIDEO_CODEC);
  received.set(mid, entry);
  track.onMessage((message) => {
    const rtp = parseRtp(message);
    if (rtp !== null) {
      entry.onRtp(rtp.ssrc, rtp.sequenceNumber, rtp.timestamp, rtp.payload);
    }
  });
  emit({ event: "track", kind, streamId: publisher, mid });
});
const sampler = setInterval(() => {
  for (const r of received.values()) {
    r.sequence?.sample(Date.now());
  }
}, 1000);

const serialize = serializer();
const hub = buildHub(args);
hub.on("Offer", (sdp) =>
  serialize(async () => {
    announced.record(sdp);
    const answer = localDescription();
    pc.setRemoteDescription(sdp, "offer");
    emitSdp("remote", "offer", sdp);
    const { sdp: answerSdp } = await answer;
    emitSdp("local", "answer", answerSdp);
    await hub.invoke("Answer", answerSdp);
    emit({ event: "answered" });
  }),
);
onRoomEvents(hub);

await hub.start();
const join = await hub.invoke("Join", args.room, name);
emit({ event: "joined-self", id: join.participantId, others: join.participants.length });
const selfId = join.participantId;

await serialize(async () => {
  const offer = localDescription();
  pc.setLocalDescription("offer");
  const { sdp } = await offer;
  emitSdp("local", "offer", sdp);
  const answer = await hub.invoke("Offer", sdp);
  pc.setRemoteDescription(answer, "answer");
  emitSdp("remote", "answer", answer);
  emit({ event: "offered" });
});

// The same cadence as werift-peer.mjs: 50 Opus-shaped packets/s, 30 video frames/s with a
// keyframe every 10, one packet per frame. Sent only once the track is open (DTLS done).
let audioCount = 0, frame = 0;
const audioTimer = setInterval(() => {
  if (audioTrack.isOpen()) {
    audioTrack.sendMessageBinary(buildRtp(AUDIO_PT, false, 1000 + audioCount, audioCount * 960, ssrcs.audio, makePayload(selfId, "audio", audioCount)));
    audioCount++;
  }
}, 20);
const videoTimer = setInterval(() => {
  if (videoTrack.isOpen()) {
    videoTrack.sendMessageBinary(buildRtp(VIDEO_PT, true, 5000 + frame, frame * 3000, ssrcs.video, makePayload(selfId, "video", frame, VIDEO_CODEC)));
    frame++;
  }
}, 33);

await untilFlowing(args, () => [...received.values()].map((r) => r.packets));
emit({
  event: "report",
  participantId: selfId,
  connectionState: pc.state(),
  publishedSsrcs: ssrcs,
  tracks: [...received.values()].map((r) => r.summary(Date.now(), announced)),
});
if (args.linger) {
  await new Promise((r) => setTimeout(r, Number(args.linger)));
}
clearInterval(audioTimer);
clearInterval(videoTimer);
clearInterval(sampler);
await hub.stop();
pc.close();
nodeDataChannel.cleanup();
process.exit(0);
