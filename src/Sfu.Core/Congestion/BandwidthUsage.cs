namespace Sfu.Core.Congestion;

/// <summary>What the delay trend says about the path (GoogCC's overuse detector).</summary>
public enum BandwidthUsage
{
    /// <summary>Queuing delay is steady: the path carries what we send.</summary>
    Normal,

    /// <summary>Queuing delay grows: we send more than the path carries.</summary>
    Overusing,

    /// <summary>Queuing delay shrinks: a queue is draining.</summary>
    Underusing,
}
