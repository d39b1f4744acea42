namespace Sfu.Core.Net;

/// <summary>The transport protocol of an ICE candidate (RFC 8839 §5.1, RFC 6544 §4.5).</summary>
public enum TransportProtocol : byte
{
    Udp,
    Tcp,
}
