using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sfu.Core.Net;
using Sfu.Core.Rtp;

namespace Sfu.LoadTest;

/// <summary>
/// The ceiling: the same 1 → N fan-out as the SFU with plain sockets and one blocking receive
/// loop, no RTP rewriting, no RTCP, no statistics. <see cref="RelayMode.Plain"/> sends each copy
/// with its own <c>sendto</c> and encrypts nothing; <see cref="RelayMode.Srtp"/> encrypts each
/// copy once with the subscriber's SRTP keys and hands the copies of one packet to the kernel in
/// <c>sendmmsg</c> batches (the server's own <see cref="LinuxDatagramBatch"/>), which is what a
/// perfect SFU would cost. Runs as its own process (<c>Sfu.LoadTest relay-server</c>) so its CPU
/// time can be read like the SFU's.
/// </summary>
internal static class RelayServer
{
    /// <summary>First byte of a subscriber's registration; media starts with RTP's version bits (0x80).</summary>
    public const byte Hello = 0x01;

    /// <summary>A hello in SRTP mode: the byte, then the subscriber's master key and salt (it is the SRTP receiver).</summary>
    public const int SrtpHelloLength = 1 + RelaySrtpSender.MasterKeyLength + RelaySrtpSender.MasterSaltLength;

    public const string ReadyPrefix = "relay listening on ";

    public static int Run(string bindAddress, RelayMode mode)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 1 << 21;
        socket.SendBufferSize = 1 << 21;
        socket.Bind(new IPEndPoint(IPAddress.Parse(bindAddress), 0));
        Console.WriteLine(ReadyPrefix + socket.LocalEndPoint);
        Console.Out.Flush();
        if (mode == RelayMode.Srtp)
        {
            RunSrtp(socket);
        }
        else
        {
            RunPlain(socket);
        }

        return 0;
    }

    /// <summary>Builds a hello: plain, or carrying the subscriber's SRTP master key and salt.</summary>
    public static byte[] CreateHello(ReadOnlySpan<byte> masterKey = default, ReadOnlySpan<byte> masterSalt = default)
    {
        if (masterKey.IsEmpty)
        {
            return [Hello];
        }

        byte[] hello = new byte[SrtpHelloLength];
        hello[0] = Hello;
        masterKey.CopyTo(hello.AsSpan(1));
        masterSalt.CopyTo(hello.AsSpan(1 + RelaySrtpSender.MasterKeyLength));
        return hello;
    }

    private static void RunPlain(Socket socket)
    {
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
                    subscribers = [.. subscribers, Copy(source)];
                }

                socket.SendTo(datagram[..1], SocketFlags.None, source);
                continue;
            }

            foreach (SocketAddress subscriber in subscribers)
            {
                socket.SendTo(datagram, SocketFlags.None, subscriber);
            }
        }
    }

    private static void RunSrtp(Socket socket)
    {
        byte[] buffer = new byte[2048];
        byte[] copy = new byte[2048 + RelaySrtpSender.TagLength];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        (SocketAddress Address, RelaySrtpSender Srtp)[] subscribers = [];
        var streams = new Dictionary<uint, Unwrapper<ushort>>();
        using LinuxDatagramBatch? batch = LinuxDatagramBatch.TryCreate();
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
                if (length == SrtpHelloLength && !Array.Exists(subscribers, s => s.Address.Equals(source)))
                {
                    var srtp = new RelaySrtpSender(
                        datagram.Slice(1, RelaySrtpSender.MasterKeyLength),
                        datagram.Slice(1 + RelaySrtpSender.MasterKeyLength, RelaySrtpSender.MasterSaltLength));
                    subscribers = [.. subscribers, (Copy(source), srtp)];
                }

                socket.SendTo(datagram[..1], SocketFlags.None, source);
                continue;
            }

            if (length < ClearRtpCounter.FixedHeaderLength)
            {
                continue;
            }

            // RFC 3711 §3.3.1: the sender's rollover counter counts the wraps of the stream's
            // sequence numbers; the relay forwards them unchanged, so it is the source stream's.
            uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
            if (!streams.TryGetValue(ssrc, out Unwrapper<ushort>? sequence))
            {
                streams[ssrc] = sequence = new Unwrapper<ushort>();
            }

            long index = sequence.Unwrap(BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]));
            if (index < 0)
            {
                continue;
            }

            uint rolloverCounter = (uint)(index >> 16);
            foreach ((SocketAddress address, RelaySrtpSender srtp) in subscribers)
            {
                int protectedLength = srtp.Protect(datagram, rolloverCounter, copy);
                if (protectedLength == 0)
                {
                    break;
                }

                ReadOnlySpan<byte> packet = copy.AsSpan(0, protectedLength);
                if (batch is null)
                {
                    socket.SendTo(packet, SocketFlags.None, address);
                }
                else if (!batch.TryAdd(packet, address))
                {
                    batch.Flush(socket.SafeHandle);
                    batch.TryAdd(packet, address);
                }
            }

            batch?.Flush(socket.SafeHandle);
        }
    }

    private static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(AddressFamily.InterNetwork);
        source.Buffer.Span.CopyTo(copy.Buffer.Span);
        return copy;
    }
}
