namespace Sfu.Core.Stun;

/// <summary>
/// The 12-bit STUN method (RFC 8489 §5, §18.2). ICE only ever uses Binding (RFC 8445 §7.1).
/// </summary>
public enum StunMethod : ushort
{
    /// <summary>0x001 Binding (RFC 8489 §18.2).</summary>
    Binding = 0x001,
}
