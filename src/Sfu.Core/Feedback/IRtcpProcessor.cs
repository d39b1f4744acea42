using Sfu.Core.Rtcp;

namespace Sfu.Core.Feedback;

/// <summary>
/// One concern of the RTCP a peer sends us (pion's interceptors, mediasoup's per-stream
/// handlers): each processor sees every packet of every valid compound and acts on the kinds
/// it owns, so a new kind of feedback is a new processor, not a new branch elsewhere.
/// </summary>
public interface IRtcpProcessor
{
    /// <summary>One packet of a validated compound. Media path; must not throw for any content.</summary>
    void Process(in RtcpPacket packet, long now, Span<byte> scratch);
}
