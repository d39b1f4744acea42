using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Tcp;

namespace Sfu.Core.Tests.Tcp;

/// <summary>
/// The ICE-TCP listener on real sockets on 127.0.0.1: framed datagrams both ways, and its
/// limits: a bad length prefix, a connection that never authenticates, too many connections
/// from one address, a thousand idle connections.
/// </summary>
public sealed class TcpMediaListenerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Datagrams_cross_both_ways_framed_and_in_order()
    {
        var handler = new EchoHandler();
        await using TcpMediaListener listener = Listen(TcpMediaLimits.Default, handler);
        using Socket client = await ConnectAsync(listener);

        // Three datagrams in one write, the last split over two writes.
        byte[] wire = [0x00, 0x02, 0x80, 0x01, 0x00, 0x03, 0x80, 0x02, 0x02, 0x00, 0x04, 0x80];
        await client.SendAsync(wire, SocketFlags.None);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        await client.SendAsync(new byte[] { 0x03, 0x03, 0x03 }, SocketFlags.None);

        byte[] echoed = await ReceiveExactlyAsync(client, 2 + 2 + 2 + 3 + 2 + 4);
        Assert.Equal("000280010003800202000480030303", Convert.ToHexString(echoed));
    }

    [Fact]
    public async Task A_bad_length_prefix_closes_the_connection_and_is_counted()
    {
        var counters = new MediaCounters();
        await using TcpMediaListener listener = Listen(TcpMediaLimits.Default, new EchoHandler(), counters);
        using Socket client = await ConnectAsync(listener);

        await client.SendAsync(new byte[] { 0xFF, 0xFF, 0x80 }, SocketFlags.None);

        Assert.True(await ClosedByServerAsync(client));
        Assert.Equal(1, counters.DroppedCount(DropReason.BadFrameLength));
    }

    [Fact]
    public async Task A_connection_that_never_authenticates_is_closed_after_the_timeout()
    {
        var limits = TcpMediaLimits.Default with { AuthenticationTimeout = TimeSpan.FromMilliseconds(500) };
        await using TcpMediaListener listener = Listen(limits, new EchoHandler());
        using Socket client = await ConnectAsync(listener);
        await client.SendAsync(new byte[] { 0x00, 0x01, 0x80 }, SocketFlags.None);

        Assert.True(await ClosedByServerAsync(client, expectEcho: 3));
        Assert.Equal(1, listener.TimedOutConnections);
    }

    [Fact]
    public async Task An_authenticated_connection_outlives_the_timeout()
    {
        var limits = TcpMediaLimits.Default with { AuthenticationTimeout = TimeSpan.FromMilliseconds(300) };
        var handler = new EchoHandler { Authenticate = true };
        await using TcpMediaListener listener = Listen(limits, handler);
        using Socket client = await ConnectAsync(listener);
        await client.SendAsync(new byte[] { 0x00, 0x01, 0x80 }, SocketFlags.None);
        await ReceiveExactlyAsync(client, 3);

        await Task.Delay(1500, TestContext.Current.CancellationToken);
        await client.SendAsync(new byte[] { 0x00, 0x01, 0x81 }, SocketFlags.None);
        Assert.Equal("000181", Convert.ToHexString(await ReceiveExactlyAsync(client, 3)));
        Assert.Equal(0, listener.TimedOutConnections);
    }

    [Fact]
    public async Task Connections_over_the_per_address_limit_are_refused()
    {
        var limits = TcpMediaLimits.Default with { MaxConnectionsPerAddress = 2 };
        await using TcpMediaListener listener = Listen(limits, new EchoHandler());
        using Socket first = await ConnectAsync(listener);
        using Socket second = await ConnectAsync(listener);
        using Socket third = await ConnectAsync(listener);

        Assert.True(await ClosedByServerAsync(third));
        Assert.Equal(1, listener.RefusedConnections);

        // The first two still work.
        await second.SendAsync(new byte[] { 0x00, 0x01, 0x80 }, SocketFlags.None);
        Assert.Equal("000180", Convert.ToHexString(await ReceiveExactlyAsync(second, 3)));
    }

    [Fact]
    public async Task A_thousand_idle_connections_are_closed_and_their_memory_given_back()
    {
        const int Count = 1000;
        var limits = TcpMediaLimits.Default with
        {
            AuthenticationTimeout = TimeSpan.FromSeconds(2),
            MaxConnectionsPerAddress = Count,
            MaxUnauthenticated = Count,
        };
        await using TcpMediaListener listener = Listen(limits, new EchoHandler());
        var clients = new List<Socket>(Count);
        try
        {
            for (int i = 0; i < Count; i++)
            {
                clients.Add(await ConnectAsync(listener));
            }

            // Every one is closed for never authenticating, and the listener holds none of them.
            await WaitUntilAsync(() => listener.TimedOutConnections == Count && listener.ConnectionCount == 0);
            Assert.Equal(0, listener.RefusedConnections);
            foreach (Socket client in clients)
            {
                Assert.True(await ClosedByServerAsync(client));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static TcpMediaListener Listen(TcpMediaLimits limits, ITcpFrameHandler handler, MediaCounters? counters = null)
    {
        var listener = new TcpMediaListener(new IPEndPoint(IPAddress.Loopback, 0), limits, counters ?? new MediaCounters(), TimeProvider.System, NullLogger.Instance);
        listener.Start(handler);
        return listener;
    }

    private static async Task<Socket> ConnectAsync(TcpMediaListener listener)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);
        return socket;
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        byte[] buffer = new byte[count];
        int received = 0;
        while (received < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            received += n;
        }

        return buffer;
    }

    /// <summary>True when the server ends the stream (after <paramref name="expectEcho"/> bytes) within the wait.</summary>
    private static async Task<bool> ClosedByServerAsync(Socket socket, int expectEcho = 0)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        byte[] buffer = new byte[64];
        int total = 0;
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    return total == expectEcho;
                }

                total += n;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return total == expectEcho;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Sends every datagram back on its connection; optionally treats the first as a valid ICE check.</summary>
    private sealed class EchoHandler : ITcpFrameHandler
    {
        public bool Authenticate { get; init; }

        public ConcurrentQueue<TcpMediaConnection> Closed { get; } = new();

        public void OnFrame(Span<byte> frame, TcpMediaConnection connection)
        {
            if (Authenticate)
            {
                connection.MarkAuthenticated();
            }

            connection.SendTo(frame, connection.RemoteAddress, DatagramPriority.Control);
        }

        public void OnClosed(TcpMediaConnection connection) => Closed.Enqueue(connection);
    }
}
