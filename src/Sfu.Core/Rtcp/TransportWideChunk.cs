namespace Sfu.Core.Rtcp;

/// <summary>
/// One 16-bit packet chunk of transport-wide feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3, §3.1.4).
/// <code>
/// run length:     |T=0| S (2) |        run length (13)       |
/// status vector:  |T=1|S=0| fourteen 1-bit symbols  (0 lost, 1 small delta)
///                 |T=1|S=1| seven 2-bit symbols     (0 lost, 1 small, 2 large or negative)
/// </code>
/// </summary>
public static class TransportWideChunk
{
    public const int NotReceived = 0;
    public const int SmallDelta = 1;
    public const int LargeDelta = 2;

    /// <summary>How many packets the chunk reports on.</summary>
    public static int SymbolCount(ushort chunk) => (chunk & 0x8000) == 0
        ? chunk & 0x1FFF
        : (chunk & 0x4000) == 0 ? 14 : 7;

    /// <summary>The status of the <paramref name="index"/>-th packet of the chunk.</summary>
    public static int Symbol(ushort chunk, int index)
    {
        if ((chunk & 0x8000) == 0)
        {
            return (chunk >> 13) & 0x3;
        }

        return (chunk & 0x4000) == 0
            ? (chunk >> (13 - index)) & 0x1
            : (chunk >> (12 - (2 * index))) & 0x3;
    }

    /// <summary>Bytes of receive delta a status carries: 0, 1 or 2 (3, reserved, is read as 2).</summary>
    public static int DeltaSize(int symbol) => symbol switch
    {
        NotReceived => 0,
        SmallDelta => 1,
        _ => 2,
    };

    /// <summary>A run-length chunk.</summary>
    public static ushort Run(int symbol, int length) => (ushort)((symbol << 13) | Math.Min(length, 0x1FFF));

    /// <summary>A status vector of seven 2-bit symbols (fewer are padded with "not received").</summary>
    public static ushort TwoBitVector(ReadOnlySpan<int> symbols)
    {
        int chunk = 0xC000;
        for (int i = 0; i < symbols.Length && i < 7; i++)
        {
            chunk |= (symbols[i] & 0x3) << (12 - (2 * i));
        }

        return (ushort)chunk;
    }
}
