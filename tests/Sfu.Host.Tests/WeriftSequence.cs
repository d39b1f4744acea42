namespace Sfu.Host.Tests;

/// <summary>
/// The sequence numbers of one received video track (tests/interop/sequence-record.mjs), as
/// 64-bit extended numbers. Through an order-keeping relay on loopback, a packet that arrives
/// after a later one is a resent one.
/// </summary>
/// <param name="GapsOpened">Numbers that were missing when a later one arrived: the loss before repair.</param>
/// <param name="Late">Numbers that arrived after a later one: the repairs.</param>
/// <param name="Missing">Numbers between the first and the highest that never arrived.</param>
/// <param name="Jumps">Forward steps too large to be loss (a renumbering).</param>
/// <param name="Middle">The same counts between a second after the first packet and a second before the report.</param>
/// <param name="RepairMsMedian">Time from a gap opening to its packet arriving.</param>
/// <param name="MissingEachSecond">Numbers missing at each one-second sample.</param>
public sealed record WeriftSequence(
    long First,
    long Highest,
    int Received,
    int Duplicates,
    int Jumps,
    int GapsOpened,
    int Late,
    int Missing,
    WeriftSequenceRange? Middle,
    double? RepairMsMedian,
    double? RepairMsMax,
    IReadOnlyList<int> MissingEachSecond);
