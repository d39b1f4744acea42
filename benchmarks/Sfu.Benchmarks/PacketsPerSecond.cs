using System.Diagnostics;
using System.Globalization;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// A plain single-thread throughput figure: received 1,200-byte SRTP packets forwarded per
/// second on one core through the real engine (<see cref="BenchRoom"/>), by timing whole
/// rings of packets and leaving the ring refills out of the clock.
/// </summary>
internal static class PacketsPerSecond
{
    public const int RingCapacity = 2048;

    /// <summary>Runs for about <paramref name="duration"/> after one warm-up ring.</summary>
    public static ThroughputResult Measure(SrtpProfile profile, int subscribers, TimeSpan duration)
    {
        BenchRoom room = BenchRoom.CreateAsync(profile, subscribers, RingCapacity).GetAwaiter().GetResult();
        using var dispose = new RoomDisposal(room);
        ForwardRing(room);

        long packets = 0;
        long ticks = 0;
        long budget = (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (ticks < budget)
        {
            room.Refill();
            long start = Stopwatch.GetTimestamp();
            ForwardRing(room);
            ticks += Stopwatch.GetTimestamp() - start;
            packets += RingCapacity;
        }

        double seconds = (double)ticks / Stopwatch.Frequency;
        return new ThroughputResult(profile, subscribers, packets, seconds);
    }

    private static void ForwardRing(BenchRoom room)
    {
        for (int i = 0; i < RingCapacity; i++)
        {
            if (room.ForwardVideo() <= 0)
            {
                throw new InvalidOperationException("A packet was dropped in the throughput loop.");
            }
        }
    }
}

/// <summary>Disposes a room at the end of a using block.</summary>
internal readonly struct RoomDisposal(BenchRoom room) : IDisposable
{
    public void Dispose() => room.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>One throughput measurement.</summary>
internal readonly record struct ThroughputResult(SrtpProfile Profile, int Subscribers, long ReceivedPackets, double Seconds)
{
    public double ReceivedPerSecond => ReceivedPackets / Seconds;

    public double SentPerSecond => ReceivedPerSecond * Subscribers;

    public double MicrosecondsPerReceived => Seconds * 1e6 / ReceivedPackets;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Profile,-20} fan-out {Subscribers,3}: {ReceivedPerSecond,10:N0} received pkt/s/core = {SentPerSecond,11:N0} sent pkt/s/core ({MicrosecondsPerReceived:F2} µs per received packet)");
}
