// A participant built on libwebrtc outside a browser (@roamhq/wrtc): it joins a room over the
// hub, publishes a camera and a microphone made of generated frames and samples (wrtc's
// nonstandard RTCVideoSource and RTCAudioSource), which libwebrtc encodes as it would a real
// camera's, answers the server's offers, and decodes what it receives (RTCVideoSink,
// RTCAudioSink). It reports per received track what the decoded media showed (frame-pattern.mjs:
// whose frames, which frame numbers; whose tone), with the SSRC and codec from getStats and the
// SSRCs the server's offers announced.
import wrtc from "@roamhq/wrtc";
import { FRAME_HEIGHT, FRAME_WIDTH, dominantTone, drawFrame, idByteOf, readFrame, toneChunk, toneFrequency } from "./frame-pattern.mjs";
import { AnnouncedSsrcs, buildHub, emit, onRoomEvents, parseArgs, serializer, untilFlowing, emitSdp } from "./peer-common.mjs";

const { RTCPeerConnection, nonstandard } = wrtc;
const args = parseArgs();
const name = args.name ?? "libwebrtc";
const MISMATCH_SAMPLES = 5;

const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
pc.onconnectionstatechange = () => emit({ event: "connection", state: pc.connectionState });

const announced = new AnnouncedSsrcs();
const received = new Map(); // mid -> what the decoded media showed
const sinks = [];
pc.ontrack = ({ track, streams, transceiver }) => {
  const streamId = streams?.[0]?.id ?? "?";
  const entry = { kind: track.kind, streamId, mid: transceiver.mid, trackId: track.id, decoded: 0, verified: 0, mismatches: 0, mismatchSamples: [], counters: new Set() };
  received.set(transceiver.mid, entry);
  const mismatch = (reason) => {
    entry.mismatches++;
    if (entry.mismatchSamples.length < MISMATCH_SAMPLES) {
      entry.mismatchSamples.push(reason);
    }
  };
  if (track.kind === "video") {
    const sink = new nonstandard.RTCVideoSink(track);
    sink.onframe = ({ frame }) => {
      entry.decoded++;
      const seen = readFrame(frame.data, frame.width, frame.height);
      if (seen.idByte === idByteOf(streamId)) {
        entry.verified++;
        entry.counters.add(seen.counter);
      } else {
        mismatch(`frame ${frame.width}x${frame.height} carries id byte ${seen.idByte}, expected ${idByteOf(streamId)}`);
      }
    };
    sinks.push(sink);
  } else {
    const sink = new nonstandard.RTCAudioSink(track);
    sink.ondata = ({ samples, sampleRate, channelCount }) => {
      entry.decoded++;
      const tone = dominantTone(samples, sampleRate, channelCount);
      if (tone === null) {
        return; // silence before the first packet decodes
      }
      if (tone === toneFrequency(streamId)) {
        entry.verified++;
      } else {
        mismatch(`tone ${tone} Hz, expected ${toneFrequency(streamId)} Hz`);
      }
    };
    sinks.push(sink);
  }
  emit({ event: "track", kind: track.kind, streamId, mid: transceiver.mid });
};

const videoSource = new nonstandard.RTCVideoSource();
const audioSource = new nonstandard.RTCAudioSource();
const videoTrack = videoSource.createTrack();
const audioTrack = audioSource.createTrack();
pc.addTransceiver(audioTrack, { direction: "sendonly", streams: [] });
const videoTransceiver = pc.addTransceiver(videoTrack, { direction: "sendonly", streams: [] });

// --videoCodec=VP9 (or AV1, VP8) puts that codec first in our offer (setCodecPreferences,
// JSEP §4.1.8.1); the others stay listed after it, so the server can still pick another.
const videoCodecs = wrtc.RTCRtpSender.getCapabilities("video").codecs;
if (args.videoCodec) {
  const preferred = (c) => c.mimeType.toLowerCase() === `video/${args.videoCodec.toLowerCase()}`;
  videoTransceiver.setCodecPreferences([...videoCodecs.filter(preferred), ...videoCodecs.filter((c) => !preferred(c))]);
}

const serialize = serializer();
const hub = buildHub(args);
hub.on("Offer", (sdp) =>
  serialize(async () => {
    announced.record(sdp);
    await pc.setRemoteDescription({ type: "offer", sdp });
    emitSdp("remote", "offer", sdp);
    await pc.setLocalDescription(await pc.createAnswer());
    emitSdp("local", "answer", pc.localDescription.sdp);
    await hub.invoke("Answer", pc.localDescription.sdp);
    emit({ event: "answered" });
  }),
);
onRoomEvents(hub);

await hub.start();
const join = await hub.invoke("Join", args.room, name);
emit({ event: "joined-self", id: join.participantId, others: join.participants.length });
const selfId = join.participantId;

// Non-trickle: the offer goes out once gathering is done, with our candidates in it.
const gathered = () =>
  new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") {
      resolve();
    }
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
  });
await serialize(async () => {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered();
  emitSdp("local", "offer", pc.localDescription.sdp);
  const answer = await hub.invoke("Offer", pc.localDescription.sdp);
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  emitSdp("remote", "answer", answer);
  emit({ event: "offered" });
});

// 30 frames/s of the pattern and 10 ms of our tone every 10 ms.
let frame = 0, audioChunk = 0;
const videoTimer = setInterval(() => videoSource.onFrame({ width: FRAME_WIDTH, height: FRAME_HEIGHT, data: drawFrame(idByteOf(selfId), frame++) }), 33);
const audioTimer = setInterval(() => audioSource.onData(toneChunk(toneFrequency(selfId), audioChunk++)), 10);

await untilFlowing(args, () => [...received.values()].map((r) => r.verified));

const stats = [...(await pc.getStats()).values()];
const codecs = new Map(stats.filter((s) => s.type === "codec").map((s) => [s.id, s.mimeType]));
const inbound = stats.filter((s) => s.type === "inbound-rtp");
const outbound = stats.filter((s) => s.type === "outbound-rtp");
emit({
  event: "report",
  participantId: selfId,
  connectionState: pc.connectionState,
  publishedSsrcs: Object.fromEntries(outbound.map((s) => [s.kind, s.ssrc])),
  publishedCodecs: Object.fromEntries(outbound.map((s) => [s.kind, codecs.get(s.codecId) ?? null])),
  tracks: [...received.values()].map((r) => {
    const rtp = inbound.filter((s) => s.trackIdentifier === r.trackId || s.mid === r.mid);
    return {
      kind: r.kind,
      streamId: r.streamId,
      mid: r.mid,
      packets: rtp.reduce((n, s) => n + (s.packetsReceived ?? 0), 0),
      ssrcs: rtp.map((s) => s.ssrc),
      announcedSsrcs: Object.fromEntries(announced.of(r.mid)),
      verified: r.verified,
      mismatches: r.mismatches,
      mismatchSamples: r.mismatchSamples,
      decoded: r.decoded,
      distinctFrames: r.counters.size,
      codec: rtp.map((s) => codecs.get(s.codecId)).find((c) => c) ?? null,
    };
  }),
});
if (args.linger) {
  await new Promise((r) => setTimeout(r, Number(args.linger)));
}
clearInterval(videoTimer);
clearInterval(audioTimer);
for (const sink of sinks) {
  sink.stop();
}
videoTrack.stop();
audioTrack.stop();
await hub.stop();
pc.close();
process.exit(0);
