using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

public class DtlsDatagramQueueTests
{
    [Fact]
    public void Delivers_in_order()
    {
        var queue = new DtlsDatagramQueue(4, 1500);
        Assert.True(queue.TryEnqueue([1, 2, 3]));
        Assert.True(queue.TryEnqueue([4]));

        byte[] buffer = new byte[1500];
        Assert.Equal(DtlsDequeueStatus.Datagram, queue.Dequeue(buffer, 1, CancellationToken.None, out int length));
        Assert.Equal([1, 2, 3], buffer[..length]);
        Assert.Equal(DtlsDequeueStatus.Datagram, queue.Dequeue(buffer, 1, CancellationToken.None, out length));
        Assert.Equal([4], buffer[..length]);
        Assert.Equal(DtlsDequeueStatus.Timeout, queue.Dequeue(buffer, 1, CancellationToken.None, out _));
    }

    [Fact]
    public void Drops_when_full_and_keeps_the_oldest()
    {
        var queue = new DtlsDatagramQueue(2, 1500);
        Assert.True(queue.TryEnqueue([1]));
        Assert.True(queue.TryEnqueue([2]));
        Assert.False(queue.TryEnqueue([3])); // full: dropped, DTLS will retransmit
        Assert.Equal(2, queue.Count);

        byte[] buffer = new byte[8];
        _ = queue.Dequeue(buffer, 1, CancellationToken.None, out _);
        Assert.Equal(1, buffer[0]);
        Assert.True(queue.TryEnqueue([4])); // room again; the ring wraps
        _ = queue.Dequeue(buffer, 1, CancellationToken.None, out _);
        Assert.Equal(2, buffer[0]);
        _ = queue.Dequeue(buffer, 1, CancellationToken.None, out _);
        Assert.Equal(4, buffer[0]);
    }

    [Theory]
    [InlineData(0, false)] // empty datagram: nothing to parse
    [InlineData(1, true)] // smallest
    [InlineData(1500, true)] // exactly the limit
    [InlineData(1501, false)] // over the limit
    public void Size_limits(int size, bool accepted) =>
        Assert.Equal(accepted, new DtlsDatagramQueue(4, 1500).TryEnqueue(new byte[size]));

    [Fact]
    public void Copies_at_most_the_destination_length_at_every_length()
    {
        byte[] datagram = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var queue = new DtlsDatagramQueue(1, 1500);
        for (int size = 0; size <= datagram.Length + 1; size++)
        {
            Assert.True(queue.TryEnqueue(datagram));
            byte[] destination = new byte[size];
            Assert.Equal(DtlsDequeueStatus.Datagram, queue.Dequeue(destination, 1, CancellationToken.None, out int length));
            Assert.Equal(Math.Min(size, datagram.Length), length);
            Assert.Equal(datagram[..length], destination[..length]);
        }
    }

    [Fact]
    public async Task Close_wakes_a_blocked_consumer_and_rejects_producers()
    {
        var queue = new DtlsDatagramQueue(4, 1500);
        Assert.True(queue.TryEnqueue([9]));
        var consumer = Task.Run(() =>
        {
            byte[] buffer = new byte[8];
            DtlsDequeueStatus first = queue.Dequeue(buffer, 0, CancellationToken.None, out _);
            DtlsDequeueStatus second = queue.Dequeue(buffer, 0, CancellationToken.None, out _); // 0 = wait forever
            DtlsDequeueStatus third = queue.Dequeue(buffer, 0, CancellationToken.None, out _);
            return (first, second, third);
        }, TestContext.Current.CancellationToken);

        await Task.Delay(50, TestContext.Current.CancellationToken);
        queue.Close();
        Assert.Equal(
            (DtlsDequeueStatus.Datagram, DtlsDequeueStatus.Closed, DtlsDequeueStatus.Closed),
            await consumer.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.False(queue.TryEnqueue([1]));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Close_returns_queued_buffers_and_dispose_is_idempotent()
    {
        var queue = new DtlsDatagramQueue(4, 1500);
        Assert.True(queue.TryEnqueue([1]));
        Assert.True(queue.TryEnqueue([2]));
        queue.Dispose();
        queue.Dispose();
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryEnqueue([3]));
        Assert.Equal(DtlsDequeueStatus.Closed, queue.Dequeue(new byte[4], 1, CancellationToken.None, out _));
    }

    [Fact]
    public void Cancellation_ends_the_wait()
    {
        var queue = new DtlsDatagramQueue(4, 1500);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.Equal(DtlsDequeueStatus.Canceled, queue.Dequeue(new byte[4], 0, cts.Token, out _));
    }

    [Fact]
    public void Timeout_waits_roughly_the_requested_time()
    {
        var queue = new DtlsDatagramQueue(4, 1500);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(DtlsDequeueStatus.Timeout, queue.Dequeue(new byte[4], 40, CancellationToken.None, out _));
        Assert.InRange(watch.ElapsedMilliseconds, 30, 5000);
    }

    [Fact]
    public void Enqueue_and_dequeue_do_not_allocate()
    {
        var queue = new DtlsDatagramQueue(8, 1500);
        byte[] datagram = new byte[1200];
        byte[] buffer = new byte[1500];
        Assert.Equal(0, Allocations.Measure(() =>
        {
            _ = queue.TryEnqueue(datagram);
            _ = queue.Dequeue(buffer, 1, CancellationToken.None, out _);
        }));
    }
}
