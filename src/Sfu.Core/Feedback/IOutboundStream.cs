using System.Diagnostics.CodeAnalysis;
using Sfu.Core.Streams;

namespace Sfu.Core.Feedback;

/// <summary>
/// A stream we send a peer, as that peer's feedback concerns it. Routing implements it (the
/// down-track knows where its packets come from); the processors only need these four things.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "An RTP stream in the RFC 3550 sense, not a System.IO.Stream.")]
public interface IOutboundStream
{
    RtpSendStream Stream { get; }

    /// <summary>
    /// Sends one of our packets again, the same packet rewritten the same way (RFC 4585 §3.4.1
    /// leaves repair to the sender). False when it is no longer available. Media path.
    /// </summary>
    bool Retransmit(ushort sequenceNumber, Span<byte> scratch);

    /// <summary>The peer lost its picture (PLI or FIR) and needs a keyframe. Media path.</summary>
    void RequestKeyframe();

    /// <summary>Our RTP timestamp at <paramref name="now"/>, once the source's clock is known (for our SR). Any thread.</summary>
    bool TryGetRtpTimestampAt(long now, out uint rtpTimestamp);
}
