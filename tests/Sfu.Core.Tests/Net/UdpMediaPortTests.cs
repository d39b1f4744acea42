using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;

namespace Sfu.Core.Tests.Net;

/// <summary>
/// The media port on real UDP sockets bound to 127.0.0.1: what the receive thread sends while
/// it handles a datagram (queued and sent in batches on Linux) reaches every destination,
/// whole and in order, and the loop outlives handlers that throw.
/// </summary>
public sealed class UdpMediaPortTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(1)]
    [InlineData(LinuxDatagramBatch.Capacity)]
    [InlineData((LinuxDatagramBatch.Capacity * 2) + 5)]
    public async Task Datagrams_sent_while_handling_one_arrive_whole_and_in_order(int copies)
    {
        using var sinks = new SinkSockets(3);
        await using var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        port.Start(new FanOutHandler(port, sinks.Addresses, copies, payloadLength: 1200));
        Assert.Equal(LinuxDatagramBatch.IsSupported, port.BatchesSends);

        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await sender.SendToAsync(new byte[] { 0x80, 1, 2, 3 }, port.LocalEndPoint, TestContext.Current.CancellationToken);

        for (int sink = 0; sink < sinks.Count; sink++)
        {
            for (int copy = 0; copy < copies; copy++)
            {
                byte[] datagram = await sinks.ReceiveAsync(sink);
                Assert.Equal(1200, datagram.Length);
                Assert.Equal(copy, BinaryPrimitives.ReadInt32BigEndian(datagram));
                Assert.Equal(sink, BinaryPrimitives.ReadInt32BigEndian(datagram.AsSpan(4)));
                Assert.All(datagram.AsSpan(8).ToArray(), b => Assert.Equal((byte)copy, b));
            }
        }
    }

    [Fact]
    public async Task A_datagram_larger_than_a_batch_slot_leaves_after_those_queued_before_it()
    {
        using var sinks = new SinkSockets(1);
        await using var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        int[] lengths = [100, 200, LinuxDatagramBatch.SlotSize + 500, 300];
        port.Start(new SequenceHandler(port, sinks.Addresses[0], lengths));

        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await sender.SendToAsync(new byte[] { 0x80 }, port.LocalEndPoint, TestContext.Current.CancellationToken);

        foreach (int length in lengths)
        {
            Assert.Equal(length, (await sinks.ReceiveAsync(0)).Length);
        }
    }

    [Fact]
    public async Task Sends_from_other_threads_leave_at_once()
    {
        using var sinks = new SinkSockets(1);
        await using var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        port.Start(new SequenceHandler(port, sinks.Addresses[0], []));

        Assert.True(await Task.Run(() => port.SendTo(new byte[] { 7, 7, 7 }, sinks.Addresses[0])));

        Assert.Equal(new byte[] { 7, 7, 7 }, await sinks.ReceiveAsync(0));
    }

    /// <summary>
    /// A thread outside the port (the cluster relay's receive thread) that asks for a batch
    /// queues its sends until it flushes, as a media thread does per datagram; disposing the
    /// batch sends what is left, and after it the thread's sends leave at once again.
    /// </summary>
    [Fact]
    public async Task A_thread_outside_the_port_batches_its_sends_until_it_flushes()
    {
        Assert.SkipUnless(LinuxDatagramBatch.IsSupported, "sendmmsg batching is Linux only");
        using var sinks = new SinkSockets(1);
        await using var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        port.Start(new SequenceHandler(port, sinks.Addresses[0], []));
        int arrivedBeforeFlush = -1;
        int arrivedAfterDispose = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                IDisposable batch = port.BatchSendsOnThisThread() ?? throw new InvalidOperationException("no batch");
                Assert.Throws<InvalidOperationException>(() => port.BatchSendsOnThisThread());
                for (byte i = 0; i < 3; i++)
                {
                    Assert.True(port.SendTo(new byte[] { i, i }, sinks.Addresses[0]));
                }

                Thread.Sleep(200);
                arrivedBeforeFlush = sinks.Available(0);
                port.FlushSends();
                Assert.True(port.SendTo(new byte[] { 3, 3 }, sinks.Addresses[0]));
                batch.Dispose();
                Assert.True(port.SendTo(new byte[] { 4, 4 }, sinks.Addresses[0]));
                Thread.Sleep(200);
                arrivedAfterDispose = sinks.Available(0);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.Equal(0, arrivedBeforeFlush);
        Assert.True(arrivedAfterDispose > 0);
        for (byte i = 0; i < 5; i++)
        {
            Assert.Equal(new byte[] { i, i }, await sinks.ReceiveAsync(0));
        }
    }

    [Fact]
    public async Task The_loop_survives_a_handler_that_throws_and_still_sends_what_was_queued()
    {
        using var sinks = new SinkSockets(1);
        await using var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        port.Start(new ThrowingHandler(port, sinks.Addresses[0]));

        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (byte i = 1; i <= 3; i++)
        {
            await sender.SendToAsync(new[] { i }, port.LocalEndPoint, TestContext.Current.CancellationToken);
            Assert.Equal(new[] { i }, await sinks.ReceiveAsync(0));
        }

        Assert.Equal(3, port.ReceiveErrors);
        Assert.True(port.IsReceiving);
    }

    [Fact]
    public async Task A_datagram_the_kernel_refuses_is_counted_as_dropped_and_the_ones_after_it_still_leave()
    {
        using var sinks = new SinkSockets(1);
        var counters = new MediaCounters();
        await using var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, counters);
        // An IPv6 destination on an IPv4 socket: the kernel refuses it before anything leaves.
        SocketAddress unusable = new IPEndPoint(IPAddress.IPv6Loopback, 9).Serialize();
        port.Start(new MixedDestinationHandler(port, [unusable, sinks.Addresses[0], unusable, sinks.Addresses[0]]));

        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await sender.SendToAsync(new byte[] { 0x80 }, port.LocalEndPoint, TestContext.Current.CancellationToken);

        Assert.Equal(new byte[] { 1 }, await sinks.ReceiveAsync(0));
        Assert.Equal(new byte[] { 3 }, await sinks.ReceiveAsync(0));
        // Counted when the flush returns, which may be just after the sink has its datagrams.
        Assert.True(SpinWait.SpinUntil(() => counters.DroppedCount(DropReason.SendFailed) == 2, Wait));
        Assert.Equal(0, port.ReceiveErrors);
        Assert.True(port.IsReceiving);
    }

    [Fact]
    public async Task Several_threads_share_the_port_each_peer_stays_on_one_and_replies_leave_from_the_port()
    {
        Assert.SkipUnless(UdpMediaPort.SharesPort, "SO_REUSEPORT is Linux only; elsewhere the port has one thread.");
        const int peers = 24;
        const int datagramsEach = 20;
        var handler = new EchoHandler();
        await using var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, threads: 4);
        handler.Port = port;
        Assert.Equal(4, port.Threads);
        port.Start(handler);
        Assert.True(port.IsReceiving);

        using var senders = new SinkSockets(peers);
        for (int seq = 0; seq < datagramsEach; seq++)
        {
            for (int peer = 0; peer < peers; peer++)
            {
                senders.Send(peer, [(byte)peer, (byte)seq], port.LocalEndPoint);
            }
        }

        for (int peer = 0; peer < peers; peer++)
        {
            for (int seq = 0; seq < datagramsEach; seq++)
            {
                // One flow on loopback keeps its order, and the reply comes from the port's address.
                (byte[] echo, EndPoint from) = await senders.ReceiveFromAsync(peer);
                Assert.Equal(new[] { (byte)peer, (byte)seq }, echo);
                Assert.Equal(port.LocalEndPoint, from);
            }
        }

        // The kernel hashes a 4-tuple to one socket of the group: one thread per peer, and with
        // 24 peers on 4 sockets more than one thread (all on one: probability 4 × 4⁻²⁴).
        Assert.All(handler.ThreadsByPeer.Values, threads => Assert.Single(threads.Distinct()));
        Assert.True(handler.ThreadsByPeer.Values.Select(t => t.First()).Distinct().Count() > 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Disposing_wakes_and_ends_every_receive_thread_blocked_in_its_receive(int threads)
    {
        var port = new UdpMediaPort(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, threads: threads);
        port.Start(new SequenceHandler(port, new IPEndPoint(IPAddress.Loopback, 9).Serialize(), []));
        Assert.True(port.IsReceiving);
        await Task.Delay(50, TestContext.Current.CancellationToken); // let it block in recvmmsg (recvfrom elsewhere)

        await port.DisposeAsync();

        Assert.False(port.ReceiveThreadAlive);
        Assert.False(port.IsReceiving);
    }

    /// <summary>Echoes each datagram to its source, noting which thread handled which peer (first byte).</summary>
    private sealed class EchoHandler : IDatagramHandler
    {
        public UdpMediaPort? Port { get; set; }

        public System.Collections.Concurrent.ConcurrentDictionary<byte, System.Collections.Concurrent.ConcurrentQueue<int>> ThreadsByPeer { get; } = new();

        public void OnDatagram(Span<byte> datagram, SocketAddress source)
        {
            ThreadsByPeer.GetOrAdd(datagram[0], _ => new()).Enqueue(Environment.CurrentManagedThreadId);
            Port!.SendTo(datagram, source);
        }
    }

    /// <summary>Sends <c>copies</c> packets to each destination for every datagram it handles.</summary>
    private sealed class FanOutHandler(UdpMediaPort port, SocketAddress[] destinations, int copies, int payloadLength) : IDatagramHandler
    {
        private readonly byte[] _packet = new byte[payloadLength];

        public void OnDatagram(Span<byte> datagram, SocketAddress source)
        {
            for (int copy = 0; copy < copies; copy++)
            {
                for (int d = 0; d < destinations.Length; d++)
                {
                    _packet.AsSpan(8).Fill((byte)copy);
                    BinaryPrimitives.WriteInt32BigEndian(_packet, copy);
                    BinaryPrimitives.WriteInt32BigEndian(_packet.AsSpan(4), d);
                    Assert.True(port.SendTo(_packet, destinations[d]));
                }
            }
        }
    }

    /// <summary>Sends one datagram of each given length to one destination.</summary>
    private sealed class SequenceHandler(UdpMediaPort port, SocketAddress destination, int[] lengths) : IDatagramHandler
    {
        public void OnDatagram(Span<byte> datagram, SocketAddress source)
        {
            foreach (int length in lengths)
            {
                port.SendTo(new byte[length], destination);
            }
        }
    }

    /// <summary>Sends datagram i (one byte, its index) to destination i.</summary>
    private sealed class MixedDestinationHandler(UdpMediaPort port, SocketAddress[] destinations) : IDatagramHandler
    {
        public void OnDatagram(Span<byte> datagram, SocketAddress source)
        {
            for (int i = 0; i < destinations.Length; i++)
            {
                port.SendTo([(byte)i], destinations[i]);
            }
        }
    }

    /// <summary>Queues an echo of the datagram, then throws.</summary>
    private sealed class ThrowingHandler(UdpMediaPort port, SocketAddress destination) : IDatagramHandler
    {
        public void OnDatagram(Span<byte> datagram, SocketAddress source)
        {
            port.SendTo(datagram, destination);
            throw new InvalidOperationException("a handler bug");
        }
    }

    private sealed class SinkSockets : IDisposable
    {
        private readonly Socket[] _sockets;

        public SinkSockets(int count)
        {
            _sockets = new Socket[count];
            Addresses = new SocketAddress[count];
            for (int i = 0; i < count; i++)
            {
                _sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
                _sockets[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
                Addresses[i] = _sockets[i].LocalEndPoint!.Serialize();
            }
        }

        public int Count => _sockets.Length;

        public SocketAddress[] Addresses { get; }

        public async Task<byte[]> ReceiveAsync(int sink)
        {
            byte[] buffer = new byte[4096];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Wait);
            int length = await _sockets[sink].ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return buffer[..length];
        }

        public void Send(int sink, byte[] datagram, EndPoint to) => _sockets[sink].SendTo(datagram, to);

        /// <summary>Bytes waiting to be read on a sink (0: nothing arrived).</summary>
        public int Available(int sink) => _sockets[sink].Available;

        public async Task<(byte[] Datagram, EndPoint From)> ReceiveFromAsync(int sink)
        {
            byte[] buffer = new byte[4096];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Wait);
            SocketReceiveFromResult result = await _sockets[sink].ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            return (buffer[..result.ReceivedBytes], result.RemoteEndPoint);
        }

        public void Dispose()
        {
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }
        }
    }
}
