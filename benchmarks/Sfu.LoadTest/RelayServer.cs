using System.Net;
using System.Net.Sockets;

namespace Sfu.LoadTest;

/// <summary>
/// The ceiling: the same 1 → N fan-out as the SFU with plain sockets — one blocking receive loop,
/// one <c>sendto</c> per subscriber, no crypto, no RTP rewriting. Runs as its own process
/// (<c>Sfu.LoadTest relay-server</c>) so its CPU time can be read like the SFU's.
/// </summary>
internal static class RelayServer
{
    /// <summary>First byte of a subscriber's registration; media starts with RTP's version bits (0x80).</summary>
    public const byte Hello = 0x01;

    public const string ReadyPrefix = "relay listening on ";

    public static int Run(string bindAddress)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 1 << 21;
        socket.SendBufferSize = 1 << 21;
        socket.Bind(new IPEndPoint(IPAddress.Parse(bindAddress), 0));
        Console.WriteLine(ReadyPrefix + socket.LocalEndPoint);
        Console.Out.Flush();

        byte[] buffer = new byte[2048];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        SocketAddress[] subscribers = [];
        while (true)
        {
            int length = socket.ReceiveFrom(buffer, SocketFlags.None, source);
            if (length == 0)
            {
                continue;
            }

            ReadOnlySpan<byte> datagram = buffer.AsSpan(0, length);
            if (buffer[0] == Hello)
            {
                if (!Array.Exists(subscribers, s => s.Equals(source)))
                {
                    var copy = new SocketAddress(AddressFamily.InterNetwork);
                    source.Buffer.Span.CopyTo(copy.Buffer.Span);
                    subscribers = [.. subscribers, copy];
                }

                socket.SendTo(datagram, SocketFlags.None, source);
                continue;
            }

            foreach (SocketAddress subscriber in subscribers)
            {
                socket.SendTo(datagram, SocketFlags.None, subscriber);
            }
        }
    }
}
