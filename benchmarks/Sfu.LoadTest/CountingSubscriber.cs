using System.Net.Sockets;
using Sfu.Bots;
using Sfu.Core.Net;

namespace Sfu.LoadTest;

/// <summary>
/// A receive-only bot that completes ICE and DTLS like any other but never decrypts its media:
/// its socket is read by the shared <see cref="BatchedSocketReader"/>, every SRTP packet is only
/// counted from its clear header (<see cref="ClearRtpCounter"/>), and everything else (STUN
/// consent responses, DTLS, SRTCP) goes to the bot as usual.
/// </summary>
internal sealed class CountingSubscriber(BatchedSocketReader reader) : IBotSocketReader
{
    /// <summary>A receive-only bot among hundreds ticks its ICE and RTCP timers this often.</summary>
    public static readonly TimeSpan ControlInterval = TimeSpan.FromMilliseconds(50);

    public ClearRtpCounter Counter { get; } = new();

    public IDisposable Add(Socket socket, BotDatagramHandler handler) => reader.Add(socket, (datagram, source) =>
    {
        // RFC 7983 §7: first byte 128–191 is RTP or RTCP; RTCP is told apart by its packet type (RFC 5761 §4).
        if (PacketClassifier.Classify(datagram) == PacketKind.RtpOrRtcp && !PacketClassifier.IsRtcp(datagram))
        {
            Counter.Count(datagram);
        }
        else
        {
            handler(datagram, source);
        }
    });
}
