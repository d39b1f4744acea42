namespace Sfu.Core.Streams;

/// <summary>What a retransmission (RTX) that arrived on a stream's repair SSRC was.</summary>
public enum RepairOutcome : byte
{
    /// <summary>A packet we had asked for, restored: forward it.</summary>
    Restored,

    /// <summary>Padding, a probe, or a packet we already had: nothing to do.</summary>
    NotWanted,

    /// <summary>Not a valid RTX packet.</summary>
    Malformed,
}
