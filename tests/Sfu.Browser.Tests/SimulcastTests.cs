using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Browser.Tests;

/// <summary>
/// Chromium publishes its camera as three simulcast layers (the web client's default); each
/// subscriber gets the layer that fits the size it shows the video at, a tile that grows
/// switches up while frames keep coming, and layers nobody watches stop at the publisher.
/// Subscribers join with camera and microphone off: three 720p-class encoders are enough load.
/// </summary>
public sealed class SimulcastTests(SfuServerFixture server, BrowserFixture browser)
{
    /// <summary>
    /// The publisher captures 640×360, which the client publishes as two layers (rid h at
    /// 320×180 and f at 640×360, as Chromium would): half the encoding work of 1280×720 in three,
    /// and an uplink Chromium's own estimate reaches within seconds on this loaded machine.
    /// </summary>
    private const string Publisher = "&mic=off&video=640x360";
    private const string Quiet = "&camera=off&mic=off";

    private const string ReceiverScript = """
        async () => {
          const rows = [];
          (await window.sfu.pc.getStats()).forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') rows.push(`packets ${s.packetsReceived} lost ${s.packetsLost} keyframes ${s.keyFramesDecoded} plis ${s.pliCount} nacks ${s.nackCount} dropped ${s.framesDropped} received ${s.framesReceived}`);
          });
          return rows.join(' | ');
        }
        """;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How long a growing tile may take to get the top layer: the keyframe asked for, the
    /// subscriber's downlink estimate making room for it. Seconds on an idle machine; this one
    /// shares two cores with many browsers.
    /// </summary>
    private static readonly TimeSpan SwitchDeadline = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 120_000)]
    public async Task Each_subscriber_decodes_the_layer_that_fits_its_tile_and_a_growing_tile_switches_up_without_a_freeze()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "simulcast-fit", "Ada", Publisher);
        await using BrowserParticipant large = await BrowserParticipant.JoinAsync(browser, server, "simulcast-fit", "Lea", Quiet, 1280, 720);
        await using BrowserParticipant small = await BrowserParticipant.JoinAsync(browser, server, "simulcast-fit", "Sam", Quiet);
        foreach (BrowserParticipant subscriber in new[] { large, small })
        {
            await Eventually.UntilAsync(subscriber.InboundVideoAsync, v => v?.FramesDecoded > 0, Deadline, $"{subscriber.Name} to decode Ada", cancel);
        }

        (string[] rids, int top, int bottom) = await PublishedLayersAsync(ada);
        Assert.Equal(["h", "f"], rids);

        // Lea shows Ada at 1280×720, Sam as a 160×90 thumbnail.
        await large.ResizeRemoteVideoAsync(1280, 720, of: "Ada");
        await small.ResizeRemoteVideoAsync(160, 90, of: "Ada");

        await SubscriptionView.CheckAsync(server, "simulcast-fit", () => Eventually.UntilAsync(large.InboundVideoAsync, v => v?.FrameWidth == top, Deadline, $"Lea to decode the top layer ({top} wide)", cancel));

        await SubscriptionView.CheckAsync(server, "simulcast-fit", () => Eventually.UntilAsync(small.InboundVideoAsync, v => v?.FrameWidth == bottom, Deadline, $"Sam to decode the bottom layer ({bottom} wide)", cancel));
        IReadOnlyList<OutboundLayer> sending = await ada.OutboundLayersAsync();
        Assert.True(sending.Count == 2 && sending.All(l => l.Active && l.BytesSent > 0), $"Ada's layers: {string.Join(", ", sending)}");

        // A steady stretch first: how long this (busy) machine's decoder goes without a frame anyway.
        List<(TimeSpan At, InboundVideo Video)> steady = await SampleAsync(small, TimeSpan.FromSeconds(2), _ => false, cancel);
        TimeSpan steadyStall = LongestStall(steady);

        // Sam's tile grows to the size of the top layer: sample his decoder while it switches,
        // and for a second after.
        DownTrack samVideo = server.Services.GetRequiredService<SfuEngine>().Rooms.Find("simulcast-fit")!.Participants.Single(p => p.DisplayName == "Sam").DownTracks.Where(d => d.Source.Kind == MediaKind.Video).MaxBy(d => d.PacketsSent)!;
        await using var atServer = new DownTrackTimeline(samVideo);
        await small.ResizeRemoteVideoAsync(1280, 720, of: "Ada");
        List<(TimeSpan At, InboundVideo Video)> samples = await SampleAsync(small, SwitchDeadline, v => v.FrameWidth == top, cancel);

        string trace = string.Join("; ", samples.Select(s => $"{s.At.TotalMilliseconds:0} ms: {s.Video.FrameWidth}x{s.Video.FrameHeight} #{s.Video.FramesDecoded} freezes {s.Video.FreezeCount}"));
        Assert.True(samples[^1].Video.FrameWidth == top, $"Sam's video did not switch up to {top} wide within {SwitchDeadline.TotalSeconds} s: {trace}; the server: {SubscriptionView.Describe(server, "simulcast-fit")}; Sam's receiver: {await small.CallAsync<string>(ReceiverScript)}");
        // Frames kept coming: the switch waited for a keyframe of the new layer and forwarded the
        // old one until then, so the decoder never waits longer than it does in steady state.
        TimeSpan longestStall = LongestStall(samples);
        TimeSpan allowed = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(700).Ticks, 2 * steadyStall.Ticks));
        Assert.True(longestStall <= allowed, $"no frame was decoded for {longestStall.TotalMilliseconds:0} ms (steady state: {steadyStall.TotalMilliseconds:0} ms); Sam's receiver: {await small.CallAsync<string>(ReceiverScript)}; the server: {SubscriptionView.Counters(server)}; Sam's copy at the server:{atServer} Sam's decoder: {trace}");
        Assert.True(samples[^1].Video.FramesDecoded > samples[0].Video.FramesDecoded, trace);
    }

    [Fact(Timeout = 120_000)]
    public async Task Layers_nobody_watches_stop_at_the_publisher_and_come_back_when_a_tile_grows()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "simulcast-dynacast", "Ada", Publisher);
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "simulcast-dynacast", "Bob", Quiet);
        await Eventually.UntilAsync(bob.InboundVideoAsync, v => v?.FramesDecoded > 0, Deadline, "Bob to decode Ada", cancel);
        (_, int top, _) = await PublishedLayersAsync(ada);

        // Bob, the only subscriber, shows Ada as a thumbnail: only the bottom layer is wanted,
        // and five seconds later the top one is turned off at Ada's encoder.
        await bob.ResizeRemoteVideoAsync(160, 90);
        IReadOnlyList<OutboundLayer> paused = await Eventually.UntilAsync(
            ada.OutboundLayersAsync,
            l => l.Count == 2 && !l.Single(x => x.Rid == "f").Active && l.Single(x => x.Rid == "h").Active,
            Deadline,
            "Ada's f encoding to be turned off and h kept",
            cancel);
        await Task.Delay(TimeSpan.FromSeconds(1), cancel);
        IReadOnlyList<OutboundLayer> later = await ada.OutboundLayersAsync();
        Assert.Equal(paused.Single(x => x.Rid == "f").BytesSent, later.Single(x => x.Rid == "f").BytesSent);
        Assert.True(later.Single(x => x.Rid == "h").BytesSent > paused.Single(x => x.Rid == "h").BytesSent, "the bottom layer stopped too");

        // The dashboard shows it too: Ada's layers with f paused, and the layer Bob gets.
        await using (IBrowserContext adminContext = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } }))
        {
            IPage admin = await AdminTests.SignInAsync(server, adminContext);
            ILocator card = admin.Locator("[data-testid=room-card][data-room='simulcast-dynacast']");
            await Eventually.UntilAsync(
                () => card.Locator("[data-testid=layer-row][data-publisher=Ada]").EvaluateAllAsync<string[]>("rows => rows.map(r => `${r.dataset.rid}:${r.dataset.active}`)"),
                rows => rows.SequenceEqual(["h:true", "f:false"]),
                Deadline,
                "the dashboard to show Ada's h active and f paused",
                cancel);
            Assert.Equal("h", await card.Locator("[data-testid=subscription-row][data-subscriber=Bob]").GetAttributeAsync("data-layer"));
            await Screenshots.TakeFullPageAsync(admin, "admin-simulcast.png");
        }

        // Bob's tile grows: the top layer is asked for again and sends within two seconds.
        await bob.ResizeRemoteVideoAsync(1280, 720);
        await SubscriptionView.UnlessBandwidthLimitedAsync(server, "simulcast-dynacast", "Bob", () => Eventually.UntilAsync(
            ada.OutboundLayersAsync,
            l => l.Single(x => x.Rid == "f") is { Active: true } f && f.BytesSent > later.Single(x => x.Rid == "f").BytesSent,
            TimeSpan.FromSeconds(2.5),
            "Ada's f encoding to send again",
            cancel));
        await SubscriptionView.UnlessBandwidthLimitedAsync(server, "simulcast-dynacast", "Bob", () => Eventually.UntilAsync(bob.InboundVideoAsync, v => v?.FrameWidth == top, Deadline, $"Bob to decode the top layer ({top} wide)", cancel));
    }

    /// <summary>The rids the publisher's camera sends, lowest first, and the widths of its top and bottom layers.</summary>
    private static async Task<(string[] Rids, int Top, int Bottom)> PublishedLayersAsync(BrowserParticipant publisher)
    {
        string[] rids = await publisher.CallAsync<string[]>("() => window.sfu.cameraLayers");
        int top = await publisher.CallAsync<int>("() => window.sfu.localStream.getVideoTracks()[0].getSettings().width");
        return (rids, top, top >> (rids.Length - 1));
    }

    /// <summary>Reads the page's decoder every 100 ms for <paramref name="limit"/>, or until <paramref name="reached"/> holds and one more second has passed.</summary>
    private static async Task<List<(TimeSpan At, InboundVideo Video)>> SampleAsync(BrowserParticipant page, TimeSpan limit, Func<InboundVideo, bool> reached, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        InboundVideo first = await page.InboundVideoAsync() ?? throw new InvalidOperationException($"{page.Name} receives no video");
        var samples = new List<(TimeSpan At, InboundVideo Video)> { (TimeSpan.Zero, first) };
        TimeSpan? reachedAt = null;
        while (clock.Elapsed < limit && (reachedAt is null || clock.Elapsed - reachedAt < TimeSpan.FromSeconds(1)))
        {
            await Task.Delay(100, cancel);
            InboundVideo now = await page.InboundVideoAsync() ?? first;
            samples.Add((clock.Elapsed, now));
            if (reachedAt is null && reached(now))
            {
                reachedAt = clock.Elapsed;
            }
        }

        return samples;
    }

    /// <summary>The longest time between two samples across which framesDecoded did not rise.</summary>
    private static TimeSpan LongestStall(List<(TimeSpan At, InboundVideo Video)> samples)
    {
        TimeSpan longest = TimeSpan.Zero;
        int lastRise = 0;
        for (int i = 1; i < samples.Count; i++)
        {
            if (samples[i].Video.FramesDecoded > samples[lastRise].Video.FramesDecoded)
            {
                lastRise = i;
            }
            else
            {
                longest = TimeSpan.FromTicks(Math.Max(longest.Ticks, (samples[i].At - samples[lastRise].At).Ticks));
            }
        }

        return longest;
    }
}
