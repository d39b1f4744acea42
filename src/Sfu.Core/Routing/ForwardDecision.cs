namespace Sfu.Core.Routing;

/// <summary>What the forwarder decided for one packet toward one subscriber.</summary>
public enum ForwardAction : byte
{
    Forward,

    /// <summary>Video not started yet: nothing is sent until a keyframe arrives.</summary>
    DropWaitingForKeyframe,

    /// <summary>The subscriber did not negotiate the packet's codec.</summary>
    DropUnsupportedCodec,

    /// <summary>A late packet from before the point where forwarding resumed: its number would repeat one already sent.</summary>
    DropOlderThanResume,
}

/// <summary>
/// The per-subscriber rewrite of one packet, decided before anything is written: the
/// down-track applies it (decide, then apply).
/// </summary>
public readonly record struct ForwardDecision(
    ForwardAction Action,
    ushort SequenceNumber,
    uint Timestamp,
    byte PayloadType,
    bool RequestKeyframe)
{
    public static ForwardDecision Drop(ForwardAction reason, bool requestKeyframe = false)
        => new(reason, 0, 0, 0, requestKeyframe);
}
