// The payload each werift publisher sends and each werift receiver checks, so a test can tell
// whose packet arrived, which one it was, and that every byte came through SRTP as written.
//
// After the codec's own header (none for Opus; for VP8 the RFC 7741 §4.2 descriptor and the
// RFC 6386 §9.1 frame tag; for H.264 one NAL unit header, RFC 6184 §5.3, as a single NAL unit
// packet carries it), the payload is:
//
//   "SFUP" | id length (1 byte) | publisher's participant id (ASCII) | kind ('a' or 'v')
//   | counter (uint32, big-endian: the packet's index on its track, from 0)
//   | filler bytes, a xorshift stream seeded by the id and the counter
//
// The receiver reads the id and the counter, rebuilds the whole payload from them and compares
// it byte for byte: a packet from another publisher, of another kind, or with any byte changed
// does not match.

const MAGIC = Buffer.from("SFUP", "ascii");
const AUDIO_FILLER = 24;
const VIDEO_FILLER = 760;

/** A keyframe every 10 frames; one RTP packet per frame. */
export const isKeyframe = (counter) => counter % 10 === 0;

// RFC 7741 §4.2: descriptor byte with S=1 and no extensions (PID 0), then the frame tag
// (RFC 6386 §9.1: P=0 on keyframes, show_frame=1) and, on keyframes, the start code and a
// 320x240 size (§9.2).
const VP8_KEYFRAME = Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
const VP8_DELTA = Buffer.from([0x10, 0x11, 0x02, 0x00]);

// RFC 6184 §5.3: F=0, NRI=3 and type 5 (an IDR slice) on keyframes, NRI=2 and type 1 (a
// non-IDR slice) otherwise: a single NAL unit packet, what packetization-mode 0 allows.
const H264_KEYFRAME = Buffer.from([0x65]);
const H264_DELTA = Buffer.from([0x41]);

const codecHeader = (kind, counter, videoCodec) =>
  kind === "audio" ? Buffer.alloc(0)
  : videoCodec === "H264" ? (isKeyframe(counter) ? H264_KEYFRAME : H264_DELTA)
  : isKeyframe(counter) ? VP8_KEYFRAME : VP8_DELTA;

function fnv1a(bytes) {
  let hash = 0x811c9dc5;
  for (const b of bytes) {
    hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  }
  return hash;
}

function filler(id, counter, length) {
  let x = (fnv1a(Buffer.from(id, "ascii")) ^ Math.imul(counter + 1, 0x9e3779b1)) >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The payload of packet number `counter` of `id`'s track of `kind` ("audio" or "video"); video is VP8 or H264. */
export function makePayload(id, kind, counter, videoCodec = "VP8") {
  const idBytes = Buffer.from(id, "ascii");
  const fields = Buffer.alloc(1 + idBytes.length + 1 + 4);
  fields[0] = idBytes.length;
  idBytes.copy(fields, 1);
  fields[1 + idBytes.length] = kind === "audio" ? 0x61 : 0x76;
  fields.writeUInt32BE(counter >>> 0, 2 + idBytes.length);
  const fill = filler(id, counter, kind === "audio" ? AUDIO_FILLER : VIDEO_FILLER);
  return Buffer.concat([codecHeader(kind, counter, videoCodec), MAGIC, fields, fill]);
}

/**
 * Checks a received payload against what `expectedId` would have sent on a track of `kind`.
 * Returns { ok: true, counter } or { ok: false, counter?, reason }.
 */
export function verifyPayload(payload, expectedId, kind, videoCodec = "VP8") {
  // The VP8 frame tag's P bit says which header came first; the counter then says which it
  // should have been, and the rebuilt payload checks both. H.264's header is one byte.
  const headerLength = kind === "audio" ? 0
    : videoCodec === "H264" ? 1
    : payload.length > 1 && (payload[1] & 0x01) === 0 ? VP8_KEYFRAME.length : VP8_DELTA.length;
  const magicEnd = headerLength + MAGIC.length;
  if (payload.length < magicEnd + 1 || !payload.subarray(headerLength, magicEnd).equals(MAGIC)) {
    return { ok: false, reason: `no pattern after a ${headerLength}-byte codec header (${payload.length} bytes)` };
  }
  const idLength = payload[magicEnd];
  const idEnd = magicEnd + 1 + idLength;
  if (payload.length < idEnd + 5) {
    return { ok: false, reason: `truncated: ${payload.length} bytes` };
  }
  const id = payload.subarray(magicEnd + 1, idEnd).toString("ascii");
  const counter = payload.readUInt32BE(idEnd + 1);
  if (id !== expectedId) {
    return { ok: false, counter, reason: `packet ${counter} is from ${id}, not ${expectedId}` };
  }
  const expected = makePayload(expectedId, kind, counter, videoCodec);
  if (!payload.equals(expected)) {
    let at = 0;
    while (at < Math.min(payload.length, expected.length) && payload[at] === expected[at]) {
      at++;
    }
    return { ok: false, counter, reason: `packet ${counter}: ${payload.length} bytes, expected ${expected.length}; first difference at byte ${at}` };
  }
  return { ok: true, counter };
}
