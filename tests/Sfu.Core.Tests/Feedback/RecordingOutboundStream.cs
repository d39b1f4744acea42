using Sfu.Core.Feedback;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Feedback;

/// <summary>A stream we send, standing in for a down-track: it records what feedback asked of it.</summary>
internal sealed class RecordingOutboundStream(RtpSendStream stream) : IOutboundStream
{
    public RtpSendStream Stream { get; } = stream;

    public List<ushort> Retransmitted { get; } = [];

    public int KeyframeRequests { get; private set; }

    /// <summary>The source's RTP timestamp for <see cref="TryGetRtpTimestampAt"/>; null while unknown.</summary>
    public uint? Timestamp { get; set; }

    public bool Retransmit(ushort sequenceNumber, Span<byte> scratch)
    {
        Retransmitted.Add(sequenceNumber);
        return true;
    }

    public void RequestKeyframe() => KeyframeRequests++;

    public bool TryGetRtpTimestampAt(long now, out uint rtpTimestamp)
    {
        rtpTimestamp = Timestamp ?? 0;
        return Timestamp is not null;
    }
}
