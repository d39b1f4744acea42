namespace Sfu.Core.Tcp;

/// <summary>
/// What one ICE-TCP listener allows. A TCP connection costs the server a socket and buffers
/// before the peer has proven anything, so connections are limited per source address and
/// must authenticate (a valid ICE check, RFC 8445 §7.3) within a few seconds.
/// </summary>
public sealed record TcpMediaLimits
{
    public static readonly TcpMediaLimits Default = new();

    /// <summary>Open connections one source IP address may hold.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 16;

    /// <summary>Connections that have not authenticated yet, over all addresses.</summary>
    public int MaxUnauthenticated { get; init; } = 256;

    /// <summary>How long a connection may stay open without a valid ICE check.</summary>
    public TimeSpan AuthenticationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Framed bytes one connection may have waiting to be sent before it drops (video first).</summary>
    public int MaxQueuedBytes { get; init; } = 256 * 1024;

    /// <summary>The largest datagram a frame may carry; a longer length prefix closes the connection.</summary>
    public int MaxFrameLength { get; init; } = 2048;
}
