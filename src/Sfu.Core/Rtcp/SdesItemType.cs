namespace Sfu.Core.Rtcp;

/// <summary>SDES item types (RFC 3550 §6.5.1 - §6.5.8).</summary>
public enum SdesItemType : byte
{
    /// <summary>Terminates a chunk's item list.</summary>
    End = 0,

    /// <summary>Canonical end-point identifier, the one item every chunk should have.</summary>
    Cname = 1,

    /// <summary>User name.</summary>
    Name = 2,

    /// <summary>Electronic mail address.</summary>
    Email = 3,

    /// <summary>Phone number.</summary>
    Phone = 4,

    /// <summary>Geographic location.</summary>
    Location = 5,

    /// <summary>Application or tool name.</summary>
    Tool = 6,

    /// <summary>Notice/status.</summary>
    Note = 7,

    /// <summary>Private extensions.</summary>
    Private = 8,
}
