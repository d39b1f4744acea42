// Which RTP sequence numbers of one received track arrived, and when, as werift hands them
// over after SRTP decryption. On loopback through an order-keeping relay a packet that arrives
// after a later one was missing and then resent, so the record tells loss (a gap opened) from
// repair (the gap filled late) and from loss that stayed.

const EDGE_MS = 1000;
// A forward step this large is no loss on loopback but a renumbering; it is counted, not filled.
const MAX_GAP = 1000;

export class SequenceRecord {
  #t0; // the first packet's arrival: every time below is counted from it
  #arrivals = new Map(); // extended sequence number -> first arrival, ms since t0
  #order = []; // [extended sequence number, ms, late] in arrival order
  #gapOpened = new Map(); // extended sequence number -> when a later packet showed it missing
  #repairMs = [];
  #highest;
  #lowest;
  #duplicates = 0;
  #jumps = 0;
  #missingEachSecond = [];

  /** RFC 3550 §A.1-style extension of a 16-bit number to the one nearest the highest seen. */
  #extend(sequenceNumber) {
    if (this.#highest === undefined) {
      return sequenceNumber + 0x10000; // room to go below the first one
    }
    const delta = ((sequenceNumber - (this.#highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    return this.#highest + delta;
  }

  add(sequenceNumber, now) {
    this.#t0 ??= now;
    const ms = now - this.#t0;
    const ext = this.#extend(sequenceNumber);
    if (this.#arrivals.has(ext)) {
      this.#duplicates++;
      return;
    }
    const late = this.#highest !== undefined && ext < this.#highest;
    this.#arrivals.set(ext, ms);
    this.#order.push([ext, ms, late]);
    if (late && this.#gapOpened.has(ext)) {
      this.#repairMs.push(ms - this.#gapOpened.get(ext));
    }
    if (this.#highest !== undefined && ext - this.#highest > MAX_GAP) {
      this.#jumps++;
    } else if (this.#highest !== undefined) {
      for (let s = this.#highest + 1; s < ext; s++) {
        this.#gapOpened.set(s, ms);
      }
    }
    if (this.#highest === undefined || ext > this.#highest) {
      this.#highest = ext;
    }
    if (this.#lowest === undefined || ext < this.#lowest) {
      this.#lowest = ext;
    }
  }

  #missing(from, to) {
    let missing = 0;
    for (let s = from; s <= to; s++) {
      if (!this.#arrivals.has(s)) {
        missing++;
      }
    }
    return missing;
  }

  /** Called once a second: how many numbers up to the highest are missing right now. */
  sample(now) {
    if (this.#t0 !== undefined) {
      this.#missingEachSecond.push(this.#missing(this.#lowest, this.#highest));
    }
  }

  /**
   * The counts over the whole range and over its stable middle: the numbers between the first
   * one to arrive in order a second or more after the first packet and the last one to arrive
   * in order a second or more before `now` (the last gaps may still be in repair).
   */
  summary(now) {
    const ms = now - (this.#t0 ?? now);
    const inOrder = this.#order.filter(([, , late]) => !late);
    const from = inOrder.find(([, at]) => at >= EDGE_MS)?.[0];
    const to = inOrder.findLast(([, at]) => at <= ms - EDGE_MS)?.[0];
    const inMiddle = (s) => from !== undefined && to !== undefined && s >= from && s <= to;
    const gapsInMiddle = [...this.#gapOpened.keys()].filter(inMiddle);
    const sorted = [...this.#repairMs].sort((a, b) => a - b);
    return {
      first: this.#lowest ?? null,
      highest: this.#highest ?? null,
      received: this.#arrivals.size,
      duplicates: this.#duplicates,
      jumps: this.#jumps,
      gapsOpened: this.#gapOpened.size,
      late: this.#order.filter(([, , late]) => late).length,
      missing: this.#highest === undefined ? 0 : this.#missing(this.#lowest, this.#highest),
      middle:
        from === undefined || to === undefined || to < from
          ? null
          : {
              from,
              to,
              gapsOpened: gapsInMiddle.length,
              late: this.#order.filter(([s, , late]) => late && inMiddle(s)).length,
              missing: this.#missing(from, to),
            },
      repairMsMedian: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
      repairMsMax: sorted.length ? sorted[sorted.length - 1] : null,
      missingEachSecond: this.#missingEachSecond,
    };
  }
}
