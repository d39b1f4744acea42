using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Routing;
using Sfu.Host.Tests;

namespace Sfu.Browser.Tests;

/// <summary>
/// The server's view of a room's video subscriptions (each one's requested, allocated, wanted
/// and current layer, its subscriber's downlink estimate, and the source's layers), read from
/// the engine for failure messages: a browser's "decoded the wrong size" says what happened, this
/// says why.
/// </summary>
internal static class SubscriptionView
{
    /// <summary>One line per video subscription in <paramref name="roomName"/>.</summary>
    public static string Describe(SfuServerFixture server, string roomName)
    {
        Room? room = server.Services.GetRequiredService<SfuEngine>().Rooms.Find(roomName);
        return room is null ? "no room" : string.Join("; ", room.Participants.SelectMany(p => p.DownTracks
            .Where(d => d.Source.Kind == MediaKind.Video)
            .Select(d => $"{p.DisplayName}: requested {d.RequestedLayer} allocated {d.AllocatedLayer} wanted {d.WantedLayer} current {d.CurrentLayer} downlink {p.DownlinkEstimate / 1000} kbit/s, source layers [{string.Join(", ", d.Source.Layers.Select(l => $"{l.Rid} {l.Width}x{l.Height} {l.Bitrate / 1000}k {(l.IsActive ? "on" : "off")}"))}]")
            .Concat(p.DescribeUnknownSsrcs() is { Length: > 0 } unknown ? [$"{p.DisplayName} sent on unknown SSRCs: {unknown}"] : Array.Empty<string>())));
    }

    /// <summary>The engine's repair and keyframe counters (all rooms), for failure messages about stalls.</summary>
    public static string Counters(SfuServerFixture server)
    {
        var counters = server.Services.GetRequiredService<SfuEngine>().Counters;
        return $"NACKs in {counters.NacksReceived}, resent {counters.PacketsRetransmitted}, refused by the resend budget {counters.DroppedCount(DropReason.ResendBudget)}, "
            + $"send failed {counters.DroppedCount(DropReason.SendFailed)}, PLIs out {counters.PlisSent}, layer switches {counters.LayerSwitches}, packets on unknown SSRCs {counters.DroppedCount(DropReason.UnknownSsrc)}";
    }

    /// <summary>Runs a check; its failure message gets the server's view of the room.</summary>
    public static async Task CheckAsync<T>(SfuServerFixture server, string roomName, Func<Task<T>> check)
    {
        try
        {
            await check();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Assert.Fail($"{e.Message}; the server: {Describe(server, roomName)}; {Counters(server)}");
        }
    }

    /// <summary>
    /// Runs a check of the layer chosen by size; when it fails while the server's bandwidth
    /// allocation holds <paramref name="subscriber"/> below the layer its size asks for, the
    /// size rule was never in charge, and the test is skipped with the server's numbers.
    /// </summary>
    public static async Task UnlessBandwidthLimitedAsync<T>(SfuServerFixture server, string roomName, string subscriber, Func<Task<T>> check)
    {
        try
        {
            await check();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Participant? p = server.Services.GetRequiredService<SfuEngine>().Rooms.Find(roomName)?.Participants.SingleOrDefault(x => x.DisplayName == subscriber);
            if (p is not null && p.DownTracks.Any(d => d.Source.Kind == MediaKind.Video && d.Source.PacketsReceived > 0 && d.AllocatedLayer < d.RequestedLayer))
            {
                Assert.Skip($"{subscriber}'s downlink estimate ({p.DownlinkEstimate / 1000} kbit/s) holds it below the layer its tile asks for; the server: {Describe(server, roomName)}");
            }

            Assert.Fail($"{e.Message}; the server: {Describe(server, roomName)}");
        }
    }
}

/// <summary>
/// Samples one subscriber's copy of a video every 50 ms while it runs: the forwarder's current,
/// wanted and allocated layer, bandwidth pause, packets sent to the subscriber and packets
/// received of each source layer, and the subscriber's downlink estimate. A line is kept when
/// a layer or the pause changes, or every 250 ms; <see cref="ToString"/> is the timeline, for
/// failure messages about what the server did while a browser stalled.
/// </summary>
internal sealed class DownTrackTimeline : IAsyncDisposable
{
    private readonly System.Text.StringBuilder _lines = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public DownTrackTimeline(DownTrack track)
    {
        _sampling = Task.Run(async () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            (int, int, int, bool) last = (-2, -2, -2, false);
            TimeSpan lastLine = TimeSpan.MinValue;
            while (!_stop.IsCancellationRequested)
            {
                (int, int, int, bool) now = (track.CurrentLayer, track.WantedLayer, track.AllocatedLayer, track.IsPausedForBandwidth);
                if (now != last || clock.Elapsed - lastLine >= TimeSpan.FromMilliseconds(250))
                {
                    string layers = string.Join("/", track.Source.Layers.Select(l => l.Stream?.PacketsReceived ?? 0));
                    lock (_lines)
                    {
                        _lines.Append(System.Globalization.CultureInfo.InvariantCulture, $" {clock.Elapsed.TotalMilliseconds:0} ms: current {now.Item1} wanted {now.Item2} allocated {now.Item3}{(now.Item4 ? " paused" : "")} sent {track.PacketsSent} source {layers} estimate {track.Subscriber.DownlinkEstimate / 1000}k;");
                    }

                    last = now;
                    lastLine = clock.Elapsed;
                }

                await Task.Delay(50, CancellationToken.None);
            }
        });
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
