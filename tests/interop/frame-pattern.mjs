// What a libwebrtc peer (wrtc-peer.mjs) draws into the frames and samples it publishes, and how
// a receiver reads them back after encoding, forwarding and decoding. Lossy codecs keep coarse
// shapes and tones, not bytes, so the pattern is coarse:
//
// video: a 320x240 I420 frame of 16 vertical stripes, each 20 pixels wide, white (luma 235) for
//   a 1 bit and black (luma 16) for a 0, chroma grey. Stripes 0-7 are a byte of the publisher's
//   id hash, stripes 8-15 the frame number's low byte; a receiver reads each stripe's middle,
//   whatever size the frame arrives at.
// audio: a sine tone at a frequency picked by the publisher's id, one of 8 steps 150 Hz apart;
//   a receiver finds the strongest of the 8 in each 10 ms of decoded audio (Goertzel).

export const FRAME_WIDTH = 320;
export const FRAME_HEIGHT = 240;
const STRIPES = 16;
const SAMPLE_RATE = 48000;
const CHUNK = SAMPLE_RATE / 100;
const TONES = [400, 550, 700, 850, 1000, 1150, 1300, 1450];

function fnv1a(id) {
  let hash = 0x811c9dc5;
  for (const c of Buffer.from(id, "ascii")) {
    hash = Math.imul(hash ^ c, 0x01000193) >>> 0;
  }
  return hash;
}

/** The frame number `counter` of a publisher whose id hashes to `idByte`, as I420. */
export function drawFrame(idByte, counter) {
  const ySize = FRAME_WIDTH * FRAME_HEIGHT;
  const data = new Uint8ClampedArray(ySize * 1.5).fill(128, ySize);
  const bits = idByte | ((counter & 0xff) << 8);
  const stripe = FRAME_WIDTH / STRIPES;
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    for (let x = 0; x < FRAME_WIDTH; x++) {
      data[y * FRAME_WIDTH + x] = (bits >> Math.floor(x / stripe)) & 1 ? 235 : 16;
    }
  }
  return data;
}

/** Reads the id byte and the counter's low byte back from a decoded I420 frame of any size. */
export function readFrame(data, width, height) {
  const stripe = width / STRIPES;
  let bits = 0;
  for (let s = 0; s < STRIPES; s++) {
    let sum = 0, n = 0;
    const x0 = Math.floor(s * stripe + stripe * 0.3), x1 = Math.ceil(s * stripe + stripe * 0.7);
    for (let y = Math.floor(height * 0.25); y < height * 0.75; y += 2) {
      for (let x = x0; x < x1; x++) {
        sum += data[y * width + x];
        n++;
      }
    }
    if (sum / n > 128) {
      bits |= 1 << s;
    }
  }
  return { idByte: bits & 0xff, counter: bits >> 8 };
}

/** The publisher's byte of the id hash drawn into its frames. */
export const idByteOf = (id) => fnv1a(id) & 0xff;

/** The tone a publisher sends. */
export const toneFrequency = (id) => TONES[fnv1a(id) % TONES.length];

/** 10 ms of the tone at `frequency`, chunk number `index`, in RTCAudioSource's shape. */
export function toneChunk(frequency, index) {
  const samples = new Int16Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) {
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * frequency * (index * CHUNK + i)) / SAMPLE_RATE));
  }
  return { samples, sampleRate: SAMPLE_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: CHUNK };
}

/** The strongest of the 8 tones in decoded samples (first channel), or null for near silence. */
export function dominantTone(samples, sampleRate, channelCount) {
  const n = Math.floor(samples.length / channelCount);
  let energy = 0;
  for (let i = 0; i < n; i++) {
    energy += samples[i * channelCount] ** 2;
  }
  if (energy / n < 100 ** 2) {
    return null;
  }
  let best = null, bestPower = -1;
  for (const f of TONES) {
    // Goertzel: the power of one frequency bin.
    const w = (2 * Math.PI * f) / sampleRate, coeff = 2 * Math.cos(w);
    let s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = samples[i * channelCount] + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    if (power > bestPower) {
      bestPower = power;
      best = f;
    }
  }
  return best;
}
