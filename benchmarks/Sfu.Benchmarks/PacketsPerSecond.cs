using System.Diagnostics;
using System.Globalization;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// A plain throughput figure: received 1,200-byte SRTP packets forwarded per second through
/// the real engine (<see cref="BenchRoom"/>), by timing whole rings of packets and leaving the
/// ring refills out of the clock. With <c>fanOutThreads</c> at 0 it is one core's; with helpers
/// each packet's fan-out is shared with them, and the figure is how fast one room can go, what
/// saturates first when one publisher's packets all reach one media thread. The process's CPU
/// time over the same windows gives the cost per packet beside it.
/// </summary>
internal static class PacketsPerSecond
{
    public const int RingCapacity = 2048;

    /// <summary>Runs for about <paramref name="duration"/> after one warm-up ring.</summary>
    public static ThroughputResult Measure(SrtpProfile profile, int subscribers, TimeSpan duration, int fanOutThreads = 0, int fanOutShard = Sfu.Core.Routing.FanOutWorkers.DefaultShardSize)
    {
        BenchRoom room = BenchRoom.CreateAsync(profile, subscribers, RingCapacity, fanOutThreads: fanOutThreads, fanOutShard: fanOutShard).GetAwaiter().GetResult();
        using var dispose = new RoomDisposal(room);
        ForwardRing(room);

        long packets = 0;
        long ticks = 0;
        TimeSpan cpu = TimeSpan.Zero;
        long budget = (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using Process self = Process.GetCurrentProcess();
        double helperCpuBefore = HelperSeconds(self.Id);
        long helperCopiesBefore = room.Room.Engine.FanOut.DownTracksByHelpers;
        while (ticks < budget)
        {
            room.Refill();
            self.Refresh();
            TimeSpan cpuBefore = self.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            ForwardRing(room);
            ticks += Stopwatch.GetTimestamp() - start;
            self.Refresh();
            cpu += self.TotalProcessorTime - cpuBefore;
            packets += RingCapacity;
        }

        double seconds = (double)ticks / Stopwatch.Frequency;

        // Helpers work only inside the timed windows (refills run on this thread alone).
        double helperCpu = HelperSeconds(self.Id) - helperCpuBefore;
        long helperCopies = room.Room.Engine.FanOut.DownTracksByHelpers - helperCopiesBefore;
        return new ThroughputResult(profile, subscribers, packets, seconds, cpu.TotalSeconds, fanOutThreads, helperCpu, helperCopies);
    }

    /// <summary>CPU seconds so far of this process's fan-out helper threads.</summary>
    private static double HelperSeconds(int pid)
        => Sfu.Core.Diagnostics.ProcessCpu.ReadThreadSeconds(pid, Sfu.Core.Net.MediaThreadLoad.ThreadNamePrefix + "fo-").Values.Sum();

    /// <summary>
    /// The control for <see cref="Measure"/> with helpers: two rooms, each on its own thread with
    /// no helper, run at the same time for about <paramref name="duration"/>. Nothing is shared
    /// between them, so what each loses against a room alone is what running two cores at once
    /// costs on this machine, not anything in the engine. Ring refills fall inside the clock here
    /// (under 2 % of a ring's time at 50 subscribers and more).
    /// </summary>
    public static (ThroughputResult First, ThroughputResult Second) MeasureTwoRooms(SrtpProfile profile, int subscribers, TimeSpan duration)
    {
        BenchRoom first = BenchRoom.CreateAsync(profile, subscribers, RingCapacity).GetAwaiter().GetResult();
        using var disposeFirst = new RoomDisposal(first);
        BenchRoom second = BenchRoom.CreateAsync(profile, subscribers, RingCapacity).GetAwaiter().GetResult();
        using var disposeSecond = new RoomDisposal(second);
        ForwardRing(first);
        ForwardRing(second);

        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        long deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var results = new (long Packets, double Seconds)[2];
        Thread[] threads =
        [
            new(() => results[0] = RunUntil(first, deadline)),
            new(() => results[1] = RunUntil(second, deadline)),
        ];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;

        // The process's CPU over both is split by each room's share of the packets.
        long total = results[0].Packets + results[1].Packets;
        return (
            new ThroughputResult(profile, subscribers, results[0].Packets, results[0].Seconds, cpu * results[0].Packets / total),
            new ThroughputResult(profile, subscribers, results[1].Packets, results[1].Seconds, cpu * results[1].Packets / total));
    }

    private static (long Packets, double Seconds) RunUntil(BenchRoom room, long deadline)
    {
        long start = Stopwatch.GetTimestamp();
        long packets = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            room.Refill();
            ForwardRing(room);
            packets += RingCapacity;
        }

        return (packets, (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency);
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
internal readonly record struct ThroughputResult(SrtpProfile Profile, int Subscribers, long ReceivedPackets, double Seconds, double CpuSeconds = 0, int FanOutThreads = 0, double HelperCpuSeconds = 0, long HelperCopies = 0)
{
    /// <summary>Copies sent per second of the process's CPU time.</summary>
    public double SentPerCpuSecond => CpuSeconds > 0 ? ReceivedPackets * (double)Subscribers / CpuSeconds : 0;

    public double ReceivedPerSecond => ReceivedPackets / Seconds;

    public double SentPerSecond => ReceivedPerSecond * Subscribers;

    public double MicrosecondsPerReceived => Seconds * 1e6 / ReceivedPackets;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Profile,-20} fan-out {Subscribers,3}, helpers {FanOutThreads}: {ReceivedPerSecond,10:N0} received pkt/s = {SentPerSecond,11:N0} sent pkt/s ({MicrosecondsPerReceived:F2} µs per received packet), {CpuSeconds / Seconds:F2} cores, {SentPerCpuSecond,11:N0} sent pkt per CPU-second{Helpers}");

    /// <summary>
    /// Where the CPU of a split went: the helpers' share of the copies and their CPU per copy
    /// against the rest of the process's (the receiving thread, its waits for the helpers included).
    /// </summary>
    private string Helpers
    {
        get
        {
            long copies = ReceivedPackets * Subscribers;
            if (FanOutThreads == 0 || HelperCopies <= 0 || copies <= HelperCopies)
            {
                return string.Empty;
            }

            double helperNs = HelperCpuSeconds * 1e9 / HelperCopies;
            double restNs = (CpuSeconds - HelperCpuSeconds) * 1e9 / (copies - HelperCopies);
            return string.Create(CultureInfo.InvariantCulture, $"; helpers made {100.0 * HelperCopies / copies:F0} % of the copies at {helperNs:F0} ns of CPU each, the rest {restNs:F0} ns");
        }
    }
}
