using Sfu.Core.Rtp;

namespace Sfu.Core.Sessions;

/// <summary>Where a peer transport delivers decrypted media. Called on the media path only, under the room's media gate.</summary>
public interface IPeerMediaSink
{
    /// <param name="packet">The decrypted packet, in the receive buffer.</param>
    /// <param name="scratch">A loop-owned buffer for per-subscriber copies.</param>
    void OnRtp(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch);

    void OnRtcp(ReadOnlySpan<byte> compound, Span<byte> scratch);
}
