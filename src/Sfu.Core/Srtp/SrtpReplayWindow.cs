namespace Sfu.Core.Srtp;

/// <summary>
/// Sliding replay window over packet indices (RFC 3711 §3.3.2): the highest authenticated
/// index and a bitmap of which of the <see cref="Size"/> indices at and below it were seen.
/// </summary>
/// <remarks>
/// Checking and accepting are separate on purpose: the receiver checks before authenticating
/// (cheap reject of replays) but accepts only after the tag verified, so a forged packet can
/// never move the window.
/// <code>
///   bit d of the mask  ==  index (Highest - d) was received        0 &lt;= d &lt; Size
/// </code>
/// </remarks>
internal struct SrtpReplayWindow
{
    /// <summary>Window length; RFC 3711 §3.3.2 asks for at least 64.</summary>
    public const int Size = 128;

    private UInt128 _mask;

    /// <summary>True once an index was accepted.</summary>
    public bool IsInitialized { get; private set; }

    /// <summary>The highest accepted index; meaningful once <see cref="IsInitialized"/>.</summary>
    public ulong Highest { get; private set; }

    /// <summary>Whether <paramref name="index"/> may still be received.</summary>
    public readonly SrtpResult Check(ulong index)
    {
        if (!IsInitialized || index > Highest)
        {
            return SrtpResult.Ok;
        }

        ulong behind = Highest - index;
        if (behind >= Size)
        {
            return SrtpResult.ReplayTooOld;
        }

        return ((_mask >> (int)behind) & UInt128.One) != UInt128.Zero ? SrtpResult.ReplayDuplicate : SrtpResult.Ok;
    }

    /// <summary>Records <paramref name="index"/> as received; call only after authentication.</summary>
    public void Accept(ulong index)
    {
        if (!IsInitialized)
        {
            IsInitialized = true;
            Highest = index;
            _mask = UInt128.One;
            return;
        }

        if (index > Highest)
        {
            ulong ahead = index - Highest;
            _mask = ahead >= Size ? UInt128.One : (_mask << (int)ahead) | UInt128.One;
            Highest = index;
            return;
        }

        ulong behind = Highest - index;
        if (behind < Size)
        {
            _mask |= UInt128.One << (int)behind;
        }
    }
}
