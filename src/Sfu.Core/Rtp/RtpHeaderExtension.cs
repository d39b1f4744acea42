namespace Sfu.Core.Rtp;

/// <summary>One RFC 8285 header extension element: its local id and its value bytes.</summary>
public readonly ref struct RtpHeaderExtension
{
    internal RtpHeaderExtension(byte id, ReadOnlySpan<byte> value)
    {
        Id = id;
        Value = value;
    }

    /// <summary>Local identifier negotiated in SDP (a=extmap), 1..14 or 1..255.</summary>
    public byte Id { get; }

    /// <summary>The element's data.</summary>
    public ReadOnlySpan<byte> Value { get; }
}
