using System.Net;

namespace Sfu.Core.Ice;

/// <summary>
/// Allocation-free comparison and copying of <see cref="SocketAddress"/>. The media path
/// reuses one instance per receive, so anything kept must be a copy.
/// </summary>
internal static class SocketAddressOps
{
    /// <summary>Same family and the same sockaddr bytes (port, address, IPv6 flow info and scope).</summary>
    public static bool AreEqual(SocketAddress? a, SocketAddress? b)
    {
        if (a is null || b is null)
        {
            return false;
        }

        return a.Family == b.Family
               && a.Size == b.Size
               && a.Buffer.Span[..a.Size].SequenceEqual(b.Buffer.Span[..b.Size]);
    }

    public static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }
}
