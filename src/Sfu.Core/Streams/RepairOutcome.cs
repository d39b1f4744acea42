namespace Sfu.Core.Streams;

/// <summary>What a retransmission (RTX) that arrived on a stream's repair SSRC was.</summary>
public enum RepairOutcome : byte
{
    /// <summary>A packet we had asked for, restored: forward it.</summary>
    Restored,

    /// <summary>Padding or a probe: nothing to do.</summary>
    NotWanted,

    /// <summary>Not a valid RTX packet.</summary>
    Malformed,

    /// <summary>
    /// A packet we are not waiting for (we have it, or gave up on it), restored: only whoever
    /// asked for it again may need it. Publishers resend old packets as bandwidth probes too.
    /// </summary>
    Known,
}
