using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// One FCI entry of a full intra request (RFC 5104 §4.3.1.1).
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                              SSRC                             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Seq nr.       |    Reserved (0)                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
/// <param name="Ssrc">The media sender asked for a decoder refresh.</param>
/// <param name="SequenceNumber">Command sequence number, incremented per new request (§4.3.1.1) so retransmits can be told apart.</param>
public readonly record struct FirEntry(uint Ssrc, byte SequenceNumber)
{
    /// <summary>Size of one entry.</summary>
    public const int Size = 8;

    internal static FirEntry Read(ReadOnlySpan<byte> data)
        => new(BinaryPrimitives.ReadUInt32BigEndian(data), data[4]);

    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        destination[4] = SequenceNumber;
        destination[5..Size].Clear();
    }
}
