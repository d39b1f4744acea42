using System.Buffers.Binary;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Relay;

/// <summary>
/// What a node tells the node a track comes from about the layers its own subscribers want:
/// an RTCP APP packet (RFC 3550 §6.7, PT 204, subtype 0, name "SFUI") over the relay link,
/// so it is authenticated by the link's SRTCP like the PLI it travels with. Each entry names
/// one layer by the SSRC the origin relays it on and says whether it is wanted there; layers
/// not named keep what they were last told (a layer never named is not wanted). The whole
/// state is sent again on every change and periodically, so a lost packet costs one interval.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|subtype=0|    PT=204     |            length             |
/// |                     SSRC of the sending node                  |
/// |                        name = "SFUI"                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                SSRC of the layer (the origin's)               |  entry,
/// |W|                         reserved (0)                        |  repeated
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// W: the layer is wanted.
/// </summary>
public readonly ref struct RelayInterest
{
    /// <summary>Header, sender SSRC and name.</summary>
    public const int HeaderSize = 12;

    public const int EntrySize = 8;

    /// <summary>Entries in one packet, so it stays well under any path MTU; more go in further packets.</summary>
    public const int MaxEntries = 120;

    private const uint Name = 0x5346_5549; // "SFUI"
    private const uint WantedBit = 0x8000_0000;

    private readonly ReadOnlySpan<byte> _entries;

    private RelayInterest(uint senderSsrc, ReadOnlySpan<byte> entries)
    {
        SenderSsrc = senderSsrc;
        _entries = entries;
    }

    public uint SenderSsrc { get; }

    public int Count => _entries.Length / EntrySize;

    /// <summary>Entry <paramref name="index"/>: a layer's SSRC and whether it is wanted.</summary>
    public (uint Ssrc, bool Wanted) this[int index]
    {
        get
        {
            ReadOnlySpan<byte> entry = _entries.Slice(index * EntrySize, EntrySize);
            return (BinaryPrimitives.ReadUInt32BigEndian(entry), (BinaryPrimitives.ReadUInt32BigEndian(entry[4..]) & WantedBit) != 0);
        }
    }

    /// <summary>Reads one packet of a compound; false when it is not ours (another APP name or subtype) or malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RelayInterest interest)
    {
        interest = default;
        if (!RtcpHeader.TryParseContent(packet, RtcpPacketType.ApplicationDefined, HeaderSize, out RtcpHeader header, out ReadOnlySpan<byte> content)
            || header.Count != 0
            || BinaryPrimitives.ReadUInt32BigEndian(content[8..]) != Name
            || (content.Length - HeaderSize) % EntrySize != 0)
        {
            return false;
        }

        interest = new RelayInterest(BinaryPrimitives.ReadUInt32BigEndian(content[4..]), content[HeaderSize..]);
        return true;
    }

    /// <summary>Bytes one packet of <paramref name="entries"/> entries takes.</summary>
    public static int SizeOf(int entries) => HeaderSize + (entries * EntrySize);

    /// <summary>
    /// Writes one packet naming <paramref name="ssrcs"/> with <paramref name="wanted"/> beside
    /// each; returns its length, or -1 when there are more than <see cref="MaxEntries"/>, the
    /// two spans differ in length, or <paramref name="destination"/> is too small.
    /// </summary>
    public static int TryWrite(Span<byte> destination, uint senderSsrc, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<bool> wanted)
    {
        int size = SizeOf(ssrcs.Length);
        if (ssrcs.Length > MaxEntries || ssrcs.Length != wanted.Length || destination.Length < size)
        {
            return -1;
        }

        RtcpHeader.Write(destination, 0, RtcpPacketType.ApplicationDefined, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Name);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            Span<byte> entry = destination.Slice(HeaderSize + (i * EntrySize), EntrySize);
            BinaryPrimitives.WriteUInt32BigEndian(entry, ssrcs[i]);
            BinaryPrimitives.WriteUInt32BigEndian(entry[4..], wanted[i] ? WantedBit : 0);
        }

        return size;
    }
}
