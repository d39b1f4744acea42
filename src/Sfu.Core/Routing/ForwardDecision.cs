namespace Sfu.Core.Routing;

/// <summary>What the forwarder decided for one packet toward one subscriber.</summary>
public enum ForwardAction : byte
{
    Forward,

    /// <summary>
    /// Forward it, but it starts a new stretch: the first packet, the first after a pause, or a
    /// layer switch. The caller picks the output timestamp and calls <see cref="Forwarder.Rebase"/>.
    /// </summary>
    Rebase,

    /// <summary>Video not started yet: nothing is sent until a keyframe arrives.</summary>
    DropWaitingForKeyframe,

    /// <summary>The subscriber did not negotiate the packet's codec.</summary>
    DropUnsupportedCodec,

    /// <summary>A late packet from before the point where forwarding resumed: its number would repeat one already sent.</summary>
    DropOlderThanResume,

    /// <summary>A packet of a simulcast layer this subscriber is not getting.</summary>
    DropOtherLayer,
}

/// <summary>
/// The per-subscriber rewrite of one packet, decided before anything is written: the
/// down-track applies it (decide, then apply). <see cref="Layer"/> is the layer a
/// <see cref="RequestKeyframe"/> or a <see cref="ForwardAction.Rebase"/> is about.
/// </summary>
public readonly record struct ForwardDecision(
    ForwardAction Action,
    ushort SequenceNumber,
    uint Timestamp,
    byte PayloadType,
    bool RequestKeyframe,
    int Layer = 0)
{
    public static ForwardDecision Drop(ForwardAction reason, bool requestKeyframe = false, int layer = 0)
        => new(reason, 0, 0, 0, requestKeyframe, layer);

    public static ForwardDecision RebaseTo(int layer, byte payloadType)
        => new(ForwardAction.Rebase, 0, 0, payloadType, RequestKeyframe: false, layer);
}
