using System.Net;

namespace Sfu.Bots;

/// <summary>Sends one UDP datagram from the bot's single socket.</summary>
internal interface IBotDatagramSender
{
    void Send(ReadOnlySpan<byte> datagram, SocketAddress destination);
}
