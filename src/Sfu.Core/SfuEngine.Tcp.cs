using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Sessions;
using Sfu.Core.Tcp;

namespace Sfu.Core;

/// <summary>
/// ICE-TCP (RFC 6544) for the engine: the passive listener, and its connections' datagrams
/// demultiplexed as UDP's are. A connection has no session until a valid ICE check arrives on
/// it; from then on its DTLS and SRTP go to that session, whose selected pair may be the
/// connection (media then leaves through it).
/// </summary>
public sealed partial class SfuEngine : ITcpFrameHandler
{
    private readonly ConcurrentDictionary<TcpMediaConnection, PeerTransport> _tcpSessions = new();
    private TcpMediaListener? _tcp;

    /// <summary>The ICE-TCP listener, when there is one (<see cref="SfuOptions.TcpPort"/>).</summary>
    public TcpMediaListener? TcpListener => _tcp;

    /// <summary>The port of our passive TCP candidate; 0 when ICE-TCP is off.</summary>
    public int AnnouncedTcpPort => _tcp is null ? 0 : _options.AnnouncedTcpPort > 0 ? _options.AnnouncedTcpPort : _tcp.LocalEndPoint.Port;

    private void StartTcp(IPAddress bind, int udpPort)
    {
        int port = _options.TcpPort ?? (_options.Port > 0 ? udpPort + 1 : 0);
        if (port < 0)
        {
            return;
        }

        var limits = new TcpMediaLimits
        {
            MaxConnectionsPerAddress = _options.TcpMaxConnectionsPerAddress,
            MaxUnauthenticated = _options.TcpMaxUnauthenticated,
            AuthenticationTimeout = TimeSpan.FromSeconds(_options.TcpAuthenticationTimeoutSeconds),
            MaxFrameLength = UdpMediaPort.ReceiveBufferSize,
        };
        _tcp = new TcpMediaListener(new IPEndPoint(bind, port), limits, Counters, Time, _loggerFactory.CreateLogger<TcpMediaListener>());
        _tcp.Start(this);
        LogTcpStarted(_logger, _tcp.LocalEndPoint);
    }

    /// <summary>
    /// One datagram from an ICE-TCP connection: STUN introduces the connection to a session by
    /// USERNAME (RFC 6544 §7.1, as over UDP); DTLS and SRTP go only to the session it was
    /// introduced to. Runs on the connection's read loop; the session's media gate orders it with
    /// the session's UDP datagrams.
    /// </summary>
    void ITcpFrameHandler.OnFrame(Span<byte> frame, TcpMediaConnection connection)
    {
        PacketKind kind = PacketClassifier.Classify(frame);
        if (kind == PacketKind.Unknown)
        {
            Counters.Dropped(DropReason.Malformed);
            return;
        }

        if (kind == PacketKind.Stun)
        {
            if (OnStun(frame, connection.RemoteAddress, connection) is PeerTransport authenticated)
            {
                _tcpSessions[connection] = authenticated;
                connection.MarkAuthenticated();
            }

            return;
        }

        if (!_tcpSessions.TryGetValue(connection, out PeerTransport? transport))
        {
            Counters.Dropped(DropReason.UnknownPeer);
            return;
        }

        OnBound(transport, kind, frame, connection.RemoteAddress, connection);
    }

    void ITcpFrameHandler.OnClosed(TcpMediaConnection connection) => _tcpSessions.TryRemove(connection, out _);

    /// <summary>A session ended: its TCP connections have nothing left to carry.</summary>
    private void CloseTcpConnections(PeerTransport transport)
    {
        foreach (KeyValuePair<TcpMediaConnection, PeerTransport> pair in _tcpSessions)
        {
            if (pair.Value == transport)
            {
                pair.Key.Close();
            }
        }
    }

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "ICE-TCP listening on {EndPoint}")]
    private static partial void LogTcpStarted(ILogger logger, IPEndPoint endPoint);
}
