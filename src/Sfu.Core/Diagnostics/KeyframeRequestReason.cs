namespace Sfu.Core.Diagnostics;

/// <summary>Why we asked a publisher for a keyframe (a PLI, RFC 4585 §6.3.1).</summary>
public enum KeyframeRequestReason
{
    /// <summary>A subscriber starts receiving (it connected, answered, or resumed).</summary>
    Start,

    /// <summary>A subscriber's decoder lost its picture and sent PLI or FIR.</summary>
    SubscriberRequest,

    /// <summary>A subscriber waits to switch to (or start on) a simulcast layer.</summary>
    LayerSwitch,
}
