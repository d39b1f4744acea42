namespace Sfu.Browser.Tests;

/// <summary>One inbound-rtp entry of RTCPeerConnection.getStats(): a received track's counters and its codec's MIME type.</summary>
public sealed record InboundRtpSample(string Id, string Kind, double FramesDecoded, double PacketsReceived, string Codec = "")
{
    /// <summary>Whether this entry made progress since <paramref name="earlier"/>: frames for video, packets for audio.</summary>
    public bool GrewSince(InboundRtpSample earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return Kind == "video" ? FramesDecoded > earlier.FramesDecoded : PacketsReceived > earlier.PacketsReceived;
    }
}
