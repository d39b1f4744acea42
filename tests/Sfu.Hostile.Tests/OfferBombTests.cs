using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Core.Routing;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>Runs alone: it measures the process's heap, which other tests would share.</summary>
[CollectionDefinition(nameof(HeapMeasuringTests), DisableParallelization = true)]
public sealed class HeapMeasuringTests;

/// <summary>
/// Offers built to make the server allocate: ~7,700 sendonly video sections in ~1 MiB of SDP,
/// more tracks than a participant may publish, an SDP longer than the configured bound. Each is
/// refused with the limit's name before anything is built from it; the heap stays small and the
/// werift peer already in the room gets no server offer out of it.
/// </summary>
[Collection(nameof(HeapMeasuringTests))]
public sealed class OfferBombTests
{
    private const long HeapBound = 200L << 20;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task An_offer_of_7700_sendonly_sections_is_refused_the_heap_stays_small_and_the_room_gets_no_offer_from_it()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using WeriftPeer observer = WeriftPeer.Start(server.BaseUrl, "bombed", "Observer", expectRemotes: 0, durationMs: 30_000);
        await Poll.UntilAsync(
            () => server.Engine.Rooms.Find("bombed") is { } room && room.Participants.Any(p => p.Producers.Length == 2),
            "the observer publishing its audio and video",
            seconds: 30);
        await using MeetingClient bomber = await MeetingClient.ConnectAsync(server);
        await bomber.JoinAsync("bombed", "Bomber");
        int offersBefore = OffersTo(observer).Count;

        string bomb = OfferBomb.Sendonly(7_700);
        Assert.InRange(bomb.Length, 800_000, 1 << 20);
        using var sampler = new HeapSampler();
        string sections = await HubErrors.RefusedAsync(() => bomber.Connection.InvokeAsync<string>("Offer", bomb, Cancel));
        string tracks = await HubErrors.RefusedAsync(() => bomber.Connection.InvokeAsync<string>("Offer", OfferBomb.Sendonly(5), Cancel));
        long peak = sampler.Stop();

        Assert.Contains("has 7,700 m-sections; at most 1,000 are accepted (Sfu:Limits:MaxSectionsPerOffer)", sections, StringComparison.Ordinal);
        Assert.Contains("publishes 5 tracks; a participant may publish at most 4 (Sfu:Limits:MaxPublishedTracks)", tracks, StringComparison.Ordinal);
        Assert.True(peak < HeapBound, $"the heap reached {peak / (1 << 20)} MiB");
        Assert.Equal(2, server.Engine.Counters.OffersRefused);

        // Nothing was published: the observer is offered nothing new, and still connected.
        Participant bomberInRoom = server.Engine.Rooms.Find("bombed")!.Participants.Single(p => p.DisplayName == "Bomber");
        Assert.Empty(bomberInRoom.Producers);
        Assert.False(bomberInRoom.HasSection("0"));
        await Task.Delay(500, Cancel);
        Assert.Equal(offersBefore, OffersTo(observer).Count);
        Assert.All(OffersTo(observer), length => Assert.True(length < 64 * 1024, $"an offer of {length} characters"));
        Assert.DoesNotContain(observer.Events, e => e.GetProperty("event").GetString() == "removed");

        // The bomber's connection still works.
        JsonElement state = await bomber.Connection.InvokeAsync<JsonElement>("MeetingState", Cancel);
        Assert.Equal(JsonValueKind.Object, state.ValueKind);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_sdp_longer_than_the_configured_bound_is_refused_before_it_is_parsed()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Limits:MaxSdpLength=65536", "--Sfu:Limits:MaxSectionsPerOffer=5000");
        await using MeetingClient bomber = await MeetingClient.ConnectAsync(server);
        await bomber.JoinAsync("bounded", "Bomber");

        string refused = await HubErrors.RefusedAsync(() => bomber.Connection.InvokeAsync<string>("Offer", OfferBomb.Sendonly(1_000), Cancel));

        Assert.Contains("characters long; at most 65,536 are accepted (Sfu:Limits:MaxSdpLength)", refused, StringComparison.Ordinal);
        Assert.Equal(1, server.Engine.Counters.OffersRefused);
    }

    private static List<int> OffersTo(WeriftPeer peer)
        => [.. peer.Events.Where(e => e.GetProperty("event").GetString() == "offer").Select(e => e.GetProperty("length").GetInt32())];

    /// <summary>The largest managed heap seen, sampled every few milliseconds on its own thread.</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public HeapSampler()
        {
            _peak = GC.GetTotalMemory(forceFullCollection: true);
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    long now = GC.GetTotalMemory(forceFullCollection: false);
                    if (now > Volatile.Read(ref _peak))
                    {
                        Volatile.Write(ref _peak, now);
                    }

                    Thread.Sleep(2);
                }
            }) { IsBackground = true, Name = "heap sampler" };
            _thread.Start();
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return Volatile.Read(ref _peak);
        }

        public void Dispose() => Stop();
    }
}
