namespace Sfu.Core.Rtcp;

/// <summary>
/// Enumerates the packets of a compound RTCP packet (RFC 3550 §6.1) without allocating.
/// <see cref="TryCreate"/> validates the whole compound first, as RFC 3550 A.2 asks, so a
/// bad compound is rejected as a unit and enumeration itself cannot fail:
/// <list type="bullet">
/// <item>every packet has version 2 and a packet type in 192..223;</item>
/// <item>the length fields add up exactly to the datagram size;</item>
/// <item>only the last packet may carry padding.</item>
/// </list>
/// The A.2 rule that the first packet be SR or RR is not applied: RFC 5506 §3.4 allows
/// reduced-size RTCP (e.g. a lone PLI), which browsers send with rtcp-rsize.
/// <code>
/// [SR or RR][SDES][...][BYE]   each: |V=2|P|RC| PT | length | body ... |
/// </code>
/// </summary>
public ref struct RtcpCompoundReader
{
    private ReadOnlySpan<byte> _remaining;
    private RtcpPacket _current;

    private RtcpCompoundReader(ReadOnlySpan<byte> compound)
    {
        _remaining = compound;
        _current = default;
    }

    /// <summary>The packet found by the last successful <see cref="MoveNext"/>.</summary>
    public readonly RtcpPacket Current => _current;

    /// <summary>Lets the reader be used directly in <c>foreach</c>.</summary>
    public readonly RtcpCompoundReader GetEnumerator() => this;

    /// <summary>Checks the compound per RFC 3550 A.2 (relaxed per RFC 5506) without creating a reader.</summary>
    public static RtcpParseResult Validate(ReadOnlySpan<byte> compound)
    {
        if (compound.IsEmpty)
        {
            return RtcpParseResult.TooShort;
        }

        int offset = 0;
        while (offset < compound.Length)
        {
            RtcpParseResult result = RtcpHeader.TryParse(compound[offset..], out RtcpHeader header);
            if (result != RtcpParseResult.Ok)
            {
                return result;
            }

            offset += header.TotalSize;
            if (header.Padding && offset != compound.Length)
            {
                return RtcpParseResult.PaddingNotLast;
            }
        }

        return RtcpParseResult.Ok;
    }

    /// <summary>Validates <paramref name="compound"/> and, when it is well formed, returns a reader over it.</summary>
    public static RtcpParseResult TryCreate(ReadOnlySpan<byte> compound, out RtcpCompoundReader reader)
    {
        RtcpParseResult result = Validate(compound);
        reader = result == RtcpParseResult.Ok ? new RtcpCompoundReader(compound) : default;
        return result;
    }

    /// <summary>Advances to the next packet.</summary>
    public bool MoveNext()
    {
        if (_remaining.IsEmpty || RtcpHeader.TryParse(_remaining, out RtcpHeader header) != RtcpParseResult.Ok)
        {
            _remaining = default;
            return false;
        }

        _current = new RtcpPacket(header, _remaining[..header.TotalSize]);
        _remaining = _remaining[header.TotalSize..];
        return true;
    }
}
