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
            .Select(d => $"{p.DisplayName}: requested {d.RequestedLayer} allocated {d.AllocatedLayer} wanted {d.WantedLayer} current {d.CurrentLayer} downlink {p.DownlinkEstimate / 1000} kbit/s, source layers [{string.Join(", ", d.Source.Layers.Select(l => $"{l.Rid} {l.Width}x{l.Height} {l.Bitrate / 1000}k {(l.IsActive ? "on" : "off")}"))}]")));
    }

    /// <summary>The engine's repair and keyframe counters (all rooms), for failure messages about stalls.</summary>
    public static string Counters(SfuServerFixture server)
    {
        var counters = server.Services.GetRequiredService<SfuEngine>().Counters;
        return $"NACKs in {counters.NacksReceived}, resent {counters.PacketsRetransmitted}, refused by the resend budget {counters.DroppedCount(DropReason.ResendBudget)}, "
            + $"send failed {counters.DroppedCount(DropReason.SendFailed)}, PLIs out {counters.PlisSent}, layer switches {counters.LayerSwitches}";
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
            Assert.Fail($"{e.Message}; the server: {Describe(server, roomName)}");
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
