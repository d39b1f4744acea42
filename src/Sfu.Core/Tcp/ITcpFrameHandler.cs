namespace Sfu.Core.Tcp;

/// <summary>
/// Receives the datagrams ICE-TCP connections carry, one connection's in order. Called from
/// that connection's read loop: it must not block, and owns <paramref name="frame"/> only for
/// the duration of the call.
/// </summary>
public interface ITcpFrameHandler
{
    void OnFrame(Span<byte> frame, TcpMediaConnection connection);

    /// <summary>The connection closed (by the peer, an error, a limit, or us); called once.</summary>
    void OnClosed(TcpMediaConnection connection);
}
