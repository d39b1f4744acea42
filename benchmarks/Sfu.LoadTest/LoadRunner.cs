using System.Diagnostics;
using System.Globalization;
using Sfu.Core.Diagnostics;

namespace Sfu.LoadTest;

/// <summary>
/// Runs one scenario against one target: connect, warm up, then measure a window between two
/// samples of the subscribers' counters and of the server processes' CPU time (one per node).
/// </summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(LoadOptions options, ProgressLine progress, CancellationToken cancellationToken)
    {
        string shape = ScenarioPlan.Describe(options);
        string label = $"[{options.TargetName} {options.Scenario.ToString().ToLowerInvariant()} {shape}]";
        await using ILoadTarget target = options.Target switch
        {
            TargetKind.Sfu => new SfuTarget(options),
            TargetKind.Relay => new RelayTarget(options),
            _ => new JanusTarget(options),
        };
        await target.StartAsync(s => progress.Update($"{label} {s}"), cancellationToken).ConfigureAwait(false);

        await Countdown(options.Warmup, t => progress.Update($"{label} warming up {t:0}s"), cancellationToken).ConfigureAwait(false);

        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        await using DownlinkWatch? downlink = options.DownlinkLimit > 0
            ? await target.LimitDownlinksAsync(options.DownlinkLimit, options.DownlinkLift, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{options.TargetName} cannot limit its subscribers' downlinks.")
            : null;
        target.ClearLatency();
        ReceiveSample first = target.Sample(withLatency: false);
        double[] nodeCpuFirst = [.. target.ServerProcessIds.Select(ProcessCpu.ReadSeconds)];
        double cpuFirst = nodeCpuFirst.Sum();
        long? relayedFirst = await target.ReadRelayedPacketsAsync(cancellationToken).ConfigureAwait(false);
        double toolCpuFirst = ProcessCpu.ReadSeconds(Environment.ProcessId);
        Dictionary<string, double> mediaThreadsFirst = ProcessCpu.ReadThreadSeconds(target.ServerProcessId, Sfu.Core.Net.MediaThreadLoad.ThreadNamePrefix);
        long start = Stopwatch.GetTimestamp();
        ReceiveSample previous = first;
        long previousTime = start;
        double longestGap = 0;
        while (Stopwatch.GetElapsedTime(start) < options.Duration)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            ReceiveSample now = target.Sample(withLatency: false);
            long time = Stopwatch.GetTimestamp();
            double seconds = Stopwatch.GetElapsedTime(previousTime, time).TotalSeconds;
            longestGap = Math.Max(longestGap, seconds);
            double cpu = target.ServerProcessIds.Sum(ProcessCpu.ReadSeconds) - cpuFirst;
            progress.Update(string.Create(
                CultureInfo.InvariantCulture,
                $"{label} {Stopwatch.GetElapsedTime(start).TotalSeconds,4:0}s  {(now.Packets - previous.Packets) / seconds,9:N0} pkt/s  {(now.Bytes - previous.Bytes) * 8 / seconds / 1e6,7:0.0} Mbps  server {cpu / Stopwatch.GetElapsedTime(start).TotalSeconds * 100,4:0}% CPU  lost {(now.Expected - now.Packets) - (first.Expected - first.Packets)}"));
            previous = now;
            previousTime = time;
        }

        ReceiveSample last = target.Sample(withLatency: true);
        double window = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double[] nodeCpuLast = [.. target.ServerProcessIds.Select(ProcessCpu.ReadSeconds)];
        double cpuSeconds = nodeCpuLast.Sum() - cpuFirst;
        long? relayedLast = await target.ReadRelayedPacketsAsync(cancellationToken).ConfigureAwait(false);
        double toolCpuSeconds = ProcessCpu.ReadSeconds(Environment.ProcessId) - toolCpuFirst;
        Dictionary<string, double> mediaThreadsLast = ProcessCpu.ReadThreadSeconds(target.ServerProcessId, Sfu.Core.Net.MediaThreadLoad.ThreadNamePrefix);
        DownlinkSummary? downlinkSummary = downlink is null ? null : await downlink.SummarizeAsync().ConfigureAwait(false);
        if (downlink is not null && options.DownlinkTracePath is not null)
        {
            await downlink.WriteTraceAsync(options.DownlinkTracePath).ConfigureAwait(false);
        }

        progress.Done();
        if (longestGap > LoadResult.StalledReadingGapSeconds)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: a one-second reading took {longestGap:0.0} s: the load tool stalled, and this run's rates are suspect."));
        }

        long packets = last.Packets - first.Packets;
        long expected = last.Expected - first.Expected;
        long lost = Math.Max(0, expected - packets);
        return new LoadResult
        {
            Scenario = options.Scenario.ToString().ToLowerInvariant(),
            Target = options.TargetName,
            Shape = shape,
            Participants = ScenarioPlan.Create(options).Count,
            ForwardedStreams = last.Tracks,
            DurationSeconds = window,
            ForwardedPackets = packets,
            ForwardedPacketsPerSecond = packets / window,
            MbpsOut = (last.Bytes - first.Bytes) * 8 / window / 1e6,
            ServerCpuSeconds = cpuSeconds,
            ServerCores = cpuSeconds / window,
            CpuSecondsPer1000Packets = packets > 0 ? cpuSeconds * 1000 / packets : double.NaN,
            PacketsPerCpuSecond = cpuSeconds > 0 ? packets / cpuSeconds : double.NaN,
            LatencyP50Milliseconds = last.LatencyP50Milliseconds,
            LatencyP99Milliseconds = last.LatencyP99Milliseconds,
            ExpectedPackets = expected,
            LostPackets = lost,
            LossPercent = expected > 0 ? 100.0 * lost / expected : 0,
            LoadToolCores = toolCpuSeconds / window,
            LongestReadingGapSeconds = longestGap,
            BotPolicy = BotScheduling.Current(),
            ConnectRetries = target.ConnectRetries,
            ReceivedLayers = target.ReceivedLayers,
            SubscribersOverTcp = target.SubscribersOverTcp,
            Downlink = downlinkSummary,
            MediaThreadCores = mediaThreadsLast.Count == 0 ? null : new SortedDictionary<string, double>(
                mediaThreadsLast.ToDictionary(t => t.Key, t => (t.Value - mediaThreadsFirst.GetValueOrDefault(t.Key)) / window),
                StringComparer.Ordinal),
            NodeCores = nodeCpuLast.Length > 1 ? [.. nodeCpuLast.Select((c, i) => (c - nodeCpuFirst[i]) / window)] : null,
            RelayedPacketsPerSecond = relayedLast - relayedFirst is long relayed ? relayed / window : null,
            ProcessorCount = Environment.ProcessorCount,
            StartedAt = startedAt,
            Environment = DotnetSettings(),
        };
    }

    private static async Task Countdown(TimeSpan length, Action<double> tick, CancellationToken cancellationToken)
    {
        for (double left = length.TotalSeconds; left > 0; left--)
        {
            tick(left);
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, left)), cancellationToken).ConfigureAwait(false);
        }
    }

    private static SortedDictionary<string, string> DotnetSettings()
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith("DOTNET_", StringComparison.Ordinal) && entry.Value is string value)
            {
                settings[key] = value;
            }
        }

        return settings;
    }
}
