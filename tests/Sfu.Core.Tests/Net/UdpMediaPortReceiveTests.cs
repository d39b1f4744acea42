using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core.Net;

namespace Sfu.Core.Tests.Net;

/// <summary>
/// The media port's receive side on real UDP sockets bound to 127.0.0.1 and ::1, with batched
/// receives (<c>recvmmsg</c>, a batch of 32) and without (<c>recvfrom</c>, a batch of 1): what
/// arrives reaches the handler with its exact bytes and its sender's address, a burst that
/// queued while the handler was busy is taken in fewer calls than datagrams, nothing is
/// allocated per datagram, and disposing ends a loop blocked in the call.
/// </summary>
public sealed class UdpMediaPortReceiveTests
{
    private const int Batch = 32;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static TheoryData<string, int> Modes => new()
    {
        { "127.0.0.1", Batch },
        { "127.0.0.1", 1 },
        { "::1", Batch },
        { "::1", 1 },
    };

    /// <summary>
    /// Four clients send 30 datagrams each (1 to 200 bytes, every byte numbered) while the
    /// handler holds the first, so they queue in the kernel: each reaches the handler whole, in
    /// its client's order, with that client's address; batched, the queue is taken in fewer
    /// system calls than datagrams, and one by one in exactly one each.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_burst_from_several_clients_reaches_the_handler_whole_with_each_source(string address, int batch)
    {
        const int clients = 4;
        const int each = 30;
        var bind = new IPEndPoint(IPAddress.Parse(address), 0);
        var handler = new RecordingHandler();
        await using var port = new UdpMediaPort(bind, NullLogger.Instance, receiveBatch: batch);
        Assert.Equal(batch > 1 && LinuxDatagramReceiver.IsSupported, port.BatchesReceives);
        port.Start(handler);

        var senders = new Socket[clients];
        try
        {
            for (int c = 0; c < clients; c++)
            {
                senders[c] = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                senders[c].Bind(new IPEndPoint(bind.Address, 0));
            }

            // The first datagram holds the handler until the rest are queued behind it.
            senders[0].SendTo(Numbered(0, 0, 1), port.LocalEndPoint);
            Assert.True(handler.Holding.Wait(Wait, TestContext.Current.CancellationToken));
            for (int seq = 1; seq <= each; seq++)
            {
                for (int c = 0; c < clients; c++)
                {
                    senders[c].SendTo(Numbered(c, seq, LengthOf(c, seq)), port.LocalEndPoint);
                }
            }

            handler.Release.Set();
            int expected = 1 + (clients * each);
            Assert.True(SpinWait.SpinUntil(() => handler.Received.Count >= expected, Wait), $"{handler.Received.Count} of {expected} arrived");

            for (int c = 0; c < clients; c++)
            {
                var from = (IPEndPoint)senders[c].LocalEndPoint!;
                (byte[] Datagram, IPEndPoint Source)[] mine = handler.Received.Where(r => r.Datagram[0] == c).ToArray();
                Assert.Equal(c == 0 ? each + 1 : each, mine.Length);
                int seq = c == 0 ? 0 : 1;
                foreach ((byte[] datagram, IPEndPoint source) in mine)
                {
                    Assert.Equal(from, source);
                    Assert.Equal(Numbered(c, seq, seq == 0 ? 1 : LengthOf(c, seq)), datagram);
                    seq++;
                }
            }
        }
        finally
        {
            foreach (Socket? sender in senders)
            {
                sender?.Dispose();
            }
        }

        await port.DisposeAsync();
        if (port.BatchesReceives)
        {
            Assert.True(port.ReceiveCalls < handler.Received.Count / 2, $"{port.ReceiveCalls} calls for {handler.Received.Count} datagrams");
        }
        else
        {
            Assert.Equal(handler.Received.Count, port.ReceiveCalls);
        }
    }

    /// <summary>
    /// Datagrams of 1 byte up to the receive buffer's size arrive whole; a longer one arrives as
    /// its first <see cref="UdpMediaPort.ReceiveBufferSize"/> bytes, whichever call received it
    /// (what <c>recvfrom</c> has always done), and the loop goes on with the next.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Datagrams_up_to_the_buffer_size_arrive_whole_and_a_longer_one_cut_to_it(string address, int batch)
    {
        int[] lengths = [1, 2, 12, 100, 1200, 1500, UdpMediaPort.ReceiveBufferSize - 1, UdpMediaPort.ReceiveBufferSize, UdpMediaPort.ReceiveBufferSize + 1, 7];
        var bind = new IPEndPoint(IPAddress.Parse(address), 0);
        var handler = new RecordingHandler();
        handler.Release.Set();
        await using var port = new UdpMediaPort(bind, NullLogger.Instance, receiveBatch: batch);
        port.Start(handler);

        using var sender = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(bind.Address, 0));
        for (int i = 0; i < lengths.Length; i++)
        {
            sender.SendTo(Numbered(i, i, lengths[i]), port.LocalEndPoint);
        }

        Assert.True(SpinWait.SpinUntil(() => handler.Received.Count >= lengths.Length, Wait), $"{handler.Received.Count} of {lengths.Length} arrived");
        (byte[] Datagram, IPEndPoint Source)[] received = handler.Received.ToArray();
        Assert.Equal(lengths.Length, received.Length);
        for (int i = 0; i < lengths.Length; i++)
        {
            byte[] sent = Numbered(i, i, lengths[i]);
            Assert.Equal(sent[..Math.Min(sent.Length, UdpMediaPort.ReceiveBufferSize)], received[i].Datagram);
            Assert.Equal(sender.LocalEndPoint, received[i].Source);
        }

        Assert.Equal(0, port.ReceiveErrors);
        Assert.True(port.IsReceiving);
    }

    /// <summary>
    /// Receiving allocates nothing per datagram: the handler notes the receive thread's
    /// allocated bytes at every datagram (into an array made beforehand), and over 1,000
    /// datagrams after a warm-up of 1,000 the count does not move.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Receiving_allocates_nothing_per_datagram(string address, int batch)
    {
        const int warmUp = 1000;
        const int measured = 1000;
        const int rounds = 3;
        var bind = new IPEndPoint(IPAddress.Parse(address), 0);
        var handler = new AllocationHandler(warmUp + (rounds * measured) + 1);
        await using var port = new UdpMediaPort(bind, NullLogger.Instance, receiveBatch: batch);
        port.Start(handler);

        using var sender = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        byte[] datagram = new byte[200];
        // In bursts of 20, each waited for, so the kernel's queue never overflows and batches form.
        while (handler.Count < handler.Capacity)
        {
            int before = handler.Count;
            int burst = Math.Min(20, handler.Capacity - before);
            for (int i = 0; i < burst; i++)
            {
                sender.SendTo(datagram, port.LocalEndPoint);
            }

            Assert.True(SpinWait.SpinUntil(() => handler.Count >= before + burst, Wait), $"{handler.Count} of {before + burst} arrived");
        }

        // Code that allocates per datagram shows in every round; a one-off runtime event (a
        // tiered recompilation) in one at most.
        long least = long.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            int from = warmUp + (round * measured);
            least = Math.Min(least, handler.AllocatedAt[from + measured] - handler.AllocatedAt[from]);
        }

        Assert.Equal(0, least);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Disposing_ends_a_loop_blocked_waiting_for_a_datagram(string address, int batch)
    {
        var port = new UdpMediaPort(new IPEndPoint(IPAddress.Parse(address), 0), NullLogger.Instance, threads: 2, receiveBatch: batch);
        var handler = new RecordingHandler();
        handler.Release.Set();
        port.Start(handler);
        Assert.True(port.IsReceiving);
        await Task.Delay(50, TestContext.Current.CancellationToken); // let both block in the call

        await port.DisposeAsync();

        Assert.False(port.ReceiveThreadAlive);
        Assert.False(port.IsReceiving);
        Assert.Empty(handler.Received);
    }

    /// <summary>Client, sequence number, then every byte numbered from those (so a shifted or truncated copy differs).</summary>
    private static byte[] Numbered(int client, int seq, int length)
    {
        byte[] datagram = new byte[length];
        for (int i = 0; i < length; i++)
        {
            datagram[i] = (byte)((client * 31) + (seq * 7) + i);
        }

        datagram[0] = (byte)client;
        if (length >= 3)
        {
            BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(1), (ushort)seq);
        }

        return datagram;
    }

    private static int LengthOf(int client, int seq) => 3 + (((client * 53) + (seq * 37)) % 198);

    /// <summary>Copies each datagram and its source; the first datagram waits for <see cref="Release"/>.</summary>
    private sealed class RecordingHandler : IDatagramHandler
    {
        public System.Collections.Concurrent.ConcurrentQueue<(byte[] Datagram, IPEndPoint Source)> Received { get; } = new();

        public ManualResetEventSlim Holding { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public void OnDatagram(Span<byte> datagram, SocketAddress source)
        {
            Holding.Set();
            Release.Wait(Wait);
            var from = (IPEndPoint)new IPEndPoint(source.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(source);
            Received.Enqueue((datagram.ToArray(), from));
        }
    }

    /// <summary>Notes the receive thread's allocated bytes at each datagram, allocating nothing itself.</summary>
    private sealed class AllocationHandler(int capacity) : IDatagramHandler
    {
        private int _count;

        public long[] AllocatedAt { get; } = new long[capacity];

        public int Capacity => AllocatedAt.Length;

        public int Count => Volatile.Read(ref _count);

        public void OnDatagram(Span<byte> datagram, SocketAddress source)
        {
            if (_count < AllocatedAt.Length)
            {
                AllocatedAt[_count] = GC.GetAllocatedBytesForCurrentThread();
                Volatile.Write(ref _count, _count + 1);
            }
        }
    }
}
