using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sfu.Core.Net;
using Sfu.Core.Rtp;

namespace Sfu.LoadTest;

/// <summary>
/// The ceiling: the same fan-out as the SFU with plain sockets and one blocking receive loop, no
/// RTP rewriting, no RTCP, no statistics. <see cref="RelayMode.Plain"/> sends each copy with its
/// own <c>sendto</c> and encrypts nothing; <see cref="RelayMode.Srtp"/> encrypts each copy once
/// with the subscriber's SRTP keys and hands the copies of one packet to the kernel in
/// <c>sendmmsg</c> batches (the server's own <see cref="LinuxDatagramBatch"/>), which is what a
/// perfect SFU would cost. Runs as its own process (<c>Sfu.LoadTest relay-server</c>) so its CPU
/// time can be read like the SFU's.
/// </summary>
/// <remarks>
/// Each subscriber's hello names its room. A packet from a registered member goes to the other
/// members of its room (the rooms scenario: everyone publishes from the socket it receives on);
/// a packet from an address that never said hello goes to room 0 (the fanout's publisher).
/// </remarks>
internal static class RelayServer
{
    /// <summary>First byte of a subscriber's registration; media starts with RTP's version bits (0x80).</summary>
    public const byte Hello = 0x01;

    /// <summary>A plain hello: the byte and the room (16 bits, big-endian).</summary>
    public const int HelloLength = 3;

    /// <summary>A hello in SRTP mode: a plain hello, then the subscriber's master key and salt (it is the SRTP receiver).</summary>
    public const int SrtpHelloLength = HelloLength + RelaySrtpSender.MasterKeyLength + RelaySrtpSender.MasterSaltLength;

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

    /// <summary>Builds a hello for <paramref name="room"/>: plain, or carrying the subscriber's SRTP master key and salt.</summary>
    public static byte[] CreateHello(ushort room = 0, ReadOnlySpan<byte> masterKey = default, ReadOnlySpan<byte> masterSalt = default)
    {
        byte[] hello = new byte[masterKey.IsEmpty ? HelloLength : SrtpHelloLength];
        hello[0] = Hello;
        BinaryPrimitives.WriteUInt16BigEndian(hello.AsSpan(1), room);
        if (!masterKey.IsEmpty)
        {
            masterKey.CopyTo(hello.AsSpan(HelloLength));
            masterSalt.CopyTo(hello.AsSpan(HelloLength + RelaySrtpSender.MasterKeyLength));
        }

        return hello;
    }

    private static void RunPlain(Socket socket)
    {
        byte[] buffer = new byte[2048];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        var rooms = new Rooms<SocketAddress>();
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
                if (length == HelloLength)
                {
                    rooms.TryAdd(source, BinaryPrimitives.ReadUInt16BigEndian(datagram[1..]), static address => address);
                }

                socket.SendTo(datagram[..1], SocketFlags.None, source);
                continue;
            }

            (SocketAddress Address, SocketAddress State)[] members = rooms.Of(source, out int self);
            for (int i = 0; i < members.Length; i++)
            {
                if (i != self)
                {
                    socket.SendTo(datagram, SocketFlags.None, members[i].Address);
                }
            }
        }
    }

    private static void RunSrtp(Socket socket)
    {
        byte[] buffer = new byte[2048];
        byte[] copy = new byte[2048 + RelaySrtpSender.TagLength];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        var rooms = new Rooms<RelaySrtpSender>();
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
                if (length == SrtpHelloLength)
                {
                    byte[] hello = datagram.ToArray();
                    rooms.TryAdd(source, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(1)), _ => new RelaySrtpSender(
                        hello.AsSpan(HelloLength, RelaySrtpSender.MasterKeyLength),
                        hello.AsSpan(HelloLength + RelaySrtpSender.MasterKeyLength, RelaySrtpSender.MasterSaltLength)));
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
            (SocketAddress Address, RelaySrtpSender State)[] members = rooms.Of(source, out int self);
            for (int i = 0; i < members.Length; i++)
            {
                if (i == self)
                {
                    continue;
                }

                (SocketAddress address, RelaySrtpSender srtp) = members[i];
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

    /// <summary>
    /// The registered subscribers by room, each with what the relay keeps for it (its address
    /// again, or its SRTP sender), and the room of each registered address.
    /// </summary>
    private sealed class Rooms<T>
    {
        private readonly Dictionary<ushort, (SocketAddress Address, T State)[]> _members = [];
        private readonly Dictionary<SocketAddress, (ushort Room, int Index)> _places = [];

        /// <summary>Registers <paramref name="source"/> in <paramref name="room"/> unless it already is; registration is repeated until echoed.</summary>
        public void TryAdd(SocketAddress source, ushort room, Func<SocketAddress, T> state)
        {
            if (_places.ContainsKey(source))
            {
                return;
            }

            SocketAddress address = Copy(source);
            (SocketAddress, T)[] members = [.. _members.GetValueOrDefault(room, []), (address, state(address))];
            _members[room] = members;
            _places[address] = (room, members.Length - 1);
        }

        /// <summary>
        /// The members of the sender's room: its own when registered, else room 0;
        /// <paramref name="self"/> is the sender's place among them (-1 when it is none of them).
        /// </summary>
        public (SocketAddress Address, T State)[] Of(SocketAddress source, out int self)
        {
            (ushort room, self) = _places.TryGetValue(source, out (ushort Room, int Index) place) ? place : ((ushort)0, -1);
            return _members.GetValueOrDefault(room, []);
        }
    }

    private static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(AddressFamily.InterNetwork);
        source.Buffer.Span.CopyTo(copy.Buffer.Span);
        return copy;
    }
}
