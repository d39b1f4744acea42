namespace Sfu.Core.Rtcp;

/// <summary>One packet of a compound RTCP packet, as yielded by <see cref="RtcpCompoundReader"/>.</summary>
public readonly ref struct RtcpPacket
{
    internal RtcpPacket(RtcpHeader header, ReadOnlySpan<byte> data)
    {
        Header = header;
        Data = data;
    }

    /// <summary>The parsed common header.</summary>
    public RtcpHeader Header { get; }

    /// <summary>The whole packet (header, body and padding): pass this to a view's TryParse.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The packet without its trailing padding.</summary>
    public ReadOnlySpan<byte> Content => Data[..Header.ContentSize];
}
