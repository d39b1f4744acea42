using System.Net;

namespace Sfu.Bots;

/// <summary>The bot's one socket to the server, whatever carries its datagrams (UDP, or ICE-TCP framing).</summary>
internal interface IBotSocket : IBotDatagramSender, IDisposable
{
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Hands every datagram received from now on to <paramref name="handler"/>.</summary>
    void Start(BotDatagramHandler handler, string name, IBotSocketReader? reader = null);

    /// <summary>From now on, receives only from <paramref name="remote"/> (a UDP connect; a TCP socket already is).</summary>
    void ConnectTo(SocketAddress remote);
}
