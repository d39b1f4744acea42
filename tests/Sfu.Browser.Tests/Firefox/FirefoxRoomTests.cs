using Sfu.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;
using Sfu.Core.Net;

namespace Sfu.Browser.Tests.Firefox;

/// <summary>
/// Firefox as a first-class participant: Firefox and Chromium in one room, media both ways,
/// renegotiation started by Firefox (a screen share, an ICE restart), and the meeting
/// controls from Firefox. Media is checked as the Chromium tests check it: decoded frames and
/// received audio energy growing on each side.
/// </summary>
public sealed class FirefoxRoomTests(SfuServerFixture server, BrowserFixture browser, FirefoxFixture firefox) : IClassFixture<FirefoxFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Received audio energy per second below which a track counts as silent (as in MediaControlsTests).</summary>
    private const double SilentEnergyPerSecond = 1e-6;

    [Fact(Timeout = 240_000)]
    public async Task Firefox_and_Chromium_see_and_hear_each_other_and_a_Firefox_renegotiation_keeps_media_flowing_both_ways()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using FirefoxParticipant fox = await FirefoxParticipant.JoinAsync(firefox, server, "firefox-room", "Fox");
        await using BrowserParticipant chrome = await BrowserParticipant.JoinAsync(browser, server, "firefox-room", "Chrome");
        await fox.WaitConnectedAsync(cancel);
        await ExpectMediaBothWaysAsync(fox, chrome, foxVideos: 1, cancel);

        // Firefox adds a track: its own offer, answered by the server, then a server offer back.
        await fox.ClickAsync("toggle-screen");
        await Eventually.UntilAsync(() => chrome.Page.GetByTestId("screen-tile").CountAsync(), c => c == 1, Deadline, "Chrome to show Fox's screen", cancel);
        await ExpectMediaBothWaysAsync(fox, chrome, foxVideos: 2, cancel);

        // An ICE restart from Firefox: new credentials on both sides, media goes on.
        int restarts = await fox.CallAsync<int>("() => window.sfu.iceRestarts");
        int negotiations = await fox.CallAsync<int>("() => window.sfu.negotiations");
        await fox.CallAsync<bool>("() => { window.sfu.restartIce(); return true; }");
        await Eventually.UntilAsync(() => fox.CallAsync<int>("() => window.sfu.negotiations"), n => n > negotiations, Deadline, "Fox's ICE restart to be negotiated", cancel);
        Assert.Equal(restarts + 1, await fox.CallAsync<int>("() => window.sfu.iceRestarts"));
        await fox.WaitConnectedAsync(cancel);
        await ExpectMediaBothWaysAsync(fox, chrome, foxVideos: 2, cancel);

        await fox.ClickAsync("toggle-screen");
        await Eventually.UntilAsync(() => chrome.Page.GetByTestId("screen-tile").CountAsync(), c => c == 0, Deadline, "Fox's screen to disappear at Chrome", cancel);
        await ExpectMediaBothWaysAsync(fox, chrome, foxVideos: 1, cancel);

        // Firefox's re-offers put every section but the tagged one at port 0 with a=bundle-only,
        // and everything the server wrote to Firefox keeps the JSEP and BUNDLE rules.
        IReadOnlyList<(string Side, string Type, string Sdp)> descriptions = await fox.DescriptionsAsync();
        Assert.Contains(descriptions, d => d.Side == "local" && d.Type == "offer" && d.Sdp.Contains("a=bundle-only", StringComparison.Ordinal));
        SdpCorpus.CheckServerDescriptions(descriptions);
        SdpCorpus.WriteIfAsked("firefox", firefox.Version, descriptions);
        SdpCorpus.CheckServerDescriptions(await chrome.DescriptionsAsync());
        SdpCorpus.WriteIfAsked("chromium", browser.Browser.Version, await chrome.DescriptionsAsync());
    }

    [Fact(Timeout = 240_000)]
    public async Task Mute_camera_off_and_on_and_chat_work_from_Firefox()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using FirefoxParticipant fox = await FirefoxParticipant.JoinAsync(firefox, server, "firefox-controls", "Fox");
        await using BrowserParticipant chrome = await BrowserParticipant.JoinAsync(browser, server, "firefox-controls", "Chrome", "&camera=off");
        await Eventually.UntilAsync(chrome.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Chrome to decode Fox's camera", cancel);
        await Eventually.UntilAsync(chrome.ReceivedAudioEnergyAsync, e => e > 0, Deadline, "Chrome to hear Fox", cancel);

        await fox.ClickAsync("toggle-mic");
        await Eventually.UntilAsync(() => chrome.Tile("Fox").GetAttributeAsync("data-mic"), m => m == "off", Deadline, "Fox's tile at Chrome to show the mic off", cancel);
        await Eventually.UntilAsync(chrome.ReceivedAudioEnergyAsync, e => e < SilentEnergyPerSecond, Deadline, "Chrome's audio from Fox to go silent", cancel);
        await fox.ClickAsync("toggle-mic");
        await Eventually.UntilAsync(chrome.ReceivedAudioEnergyAsync, e => e > 0, Deadline, "Chrome to hear Fox again", cancel);

        await fox.ClickAsync("toggle-camera");
        await Eventually.UntilAsync(() => chrome.Tile("Fox").GetAttributeAsync("data-camera"), c => c == "off", Deadline, "Fox's tile at Chrome to show the camera off", cancel);
        await Eventually.UntilAsync(chrome.CountDecodingRemoteVideoAsync, c => c == 0, Deadline, "Fox's frames to stop at Chrome", cancel);
        await fox.ClickAsync("toggle-camera");
        await Eventually.UntilAsync(chrome.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Fox's frames to resume at Chrome", cancel);

        await fox.CallAsync<bool>("text => { document.querySelector('[data-testid=chat-input]').value = text; document.querySelector('[data-testid=chat-send]').click(); return true; }", "Hello from Firefox");
        await Eventually.UntilAsync(() => chrome.Page.GetByTestId("chat-message").Last.TextContentAsync(), t => t?.Contains("Hello from Firefox", StringComparison.Ordinal) == true, Deadline, "Chrome to show Fox's chat line", cancel);
        await chrome.Page.GetByTestId("chat-input").FillAsync("Hello from Chromium");
        await chrome.Page.GetByTestId("chat-send").ClickAsync();
        await Eventually.UntilAsync(
            () => fox.CallAsync<string>("() => [...document.querySelectorAll('[data-testid=chat-message]')].map(m => m.textContent).join('|')"),
            t => t.Contains("Fox", StringComparison.Ordinal) && t.Contains("Hello from Chromium", StringComparison.Ordinal),
            Deadline,
            "Fox to show both chat lines",
            cancel);
    }

    [Fact(Timeout = 180_000)]
    public async Task Firefox_publishes_simulcast_and_each_Chromium_subscriber_decodes_the_layer_that_fits_its_tile()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        // 640×360 with simulcast on: two layers, rid h at 320×180 and f at 640×360 (the client's rule).
        await using FirefoxParticipant fox = await FirefoxParticipant.JoinAsync(firefox, server, "firefox-simulcast", "Fox", "&mic=off", "&video=640x360");
        await using BrowserParticipant large = await BrowserParticipant.JoinAsync(browser, server, "firefox-simulcast", "Lea", "&camera=off&mic=off", 1280, 720);
        await using BrowserParticipant small = await BrowserParticipant.JoinAsync(browser, server, "firefox-simulcast", "Sam", "&camera=off&mic=off");
        await fox.WaitConnectedAsync(cancel);
        Assert.Equal(["h", "f"], await fox.CallAsync<string[]>("() => window.sfu.cameraLayers"));

        // Firefox sends both rids (its outbound-rtp per rid), and the server learnt both layers.
        IReadOnlyList<OutboundLayer> sending = await Eventually.UntilAsync(
            fox.OutboundLayersAsync,
            l => l.Count == 2 && l.All(x => x.BytesSent > 0),
            Deadline,
            "Fox to send both of its layers",
            cancel);
        int top = (int)sending.Single(l => l.Rid == "f").FrameWidth;
        int bottom = (int)sending.Single(l => l.Rid == "h").FrameWidth;
        Assert.True(top > bottom && bottom > 0, $"Fox's layers: {string.Join(", ", sending)}");

        foreach (BrowserParticipant subscriber in new[] { large, small })
        {
            await Eventually.UntilAsync(subscriber.InboundVideoAsync, v => v?.FramesDecoded > 0, Deadline, $"{subscriber.Name} to decode Fox", cancel);
        }

        await large.ResizeRemoteVideoAsync(1280, 720, of: "Fox");
        await small.ResizeRemoteVideoAsync(160, 90, of: "Fox");
        await SubscriptionView.CheckAsync(server, "firefox-simulcast", () => Eventually.UntilAsync(large.InboundVideoAsync, v => v?.FrameWidth == top, Deadline, $"Lea to decode Fox's top layer ({top} wide)", cancel));
        await SubscriptionView.CheckAsync(server, "firefox-simulcast", () => Eventually.UntilAsync(small.InboundVideoAsync, v => v?.FrameWidth == bottom, Deadline, $"Sam to decode Fox's bottom layer ({bottom} wide)", cancel));

        // Sam's tile grows: he switches up to the top layer, and frames keep coming.
        InboundVideo before = (await small.InboundVideoAsync())!;
        await small.ResizeRemoteVideoAsync(1280, 720, of: "Fox");
        InboundVideo after = await Eventually.UntilAsync(small.InboundVideoAsync, v => v?.FrameWidth == top, Deadline, $"Sam to switch up to Fox's top layer ({top} wide)", cancel) ?? before;
        Assert.True(after.FramesDecoded > before.FramesDecoded, $"Sam's frames: {before} then {after}");
    }

    [Fact(Timeout = 240_000)]
    public async Task With_udp_to_the_media_port_dropped_Firefox_and_Chromium_exchange_media_over_ice_tcp()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using var tcpOnly = new SfuServerFixture();
        await tcpOnly.InitializeAsync();
        SfuEngine engine = tcpOnly.Services.GetRequiredService<SfuEngine>();
        await using Firewall firewall = await Firewall.BlockAsync($"udp dport {engine.MediaEndPoint.Port} drop");

        // Firefox checks its UDP pairs, which go unanswered, and its active TCP candidate against
        // our passive one (RFC 6544); the server ends up on TCP for both.
        await using FirefoxParticipant fox = await FirefoxParticipant.JoinAsync(firefox, tcpOnly, "firefox-ice-tcp", "Fox");
        await using BrowserParticipant chrome = await BrowserParticipant.JoinAsync(browser, tcpOnly, "firefox-ice-tcp", "Chrome");
        await fox.WaitConnectedAsync(cancel);
        await ExpectMediaBothWaysAsync(fox, chrome, foxVideos: 1, cancel);
        Assert.All(engine.Rooms.Find("firefox-ice-tcp")!.Participants, p => Assert.Equal(TransportProtocol.Tcp, p.Transport.SelectedProtocol));
    }

    /// <summary>
    /// The local candidate of the pair Firefox marks <c>selected</c> (non-standard), as
    /// "type protocol relayProtocol".
    /// </summary>
    private const string FirefoxSelectedLocalCandidateScript = """
        async () => {
          const report = await window.sfu?.pc?.getStats();
          if (!report) return '';
          let pair;
          report.forEach((s) => { if (s.type === 'candidate-pair' && s.selected === true) pair = s; });
          const local = pair ? report.get(pair.localCandidateId) : undefined;
          return local ? `${local.candidateType} ${local.protocol} ${local.relayProtocol ?? ''}`.trim() : '';
        }
        """;

    /// <summary>
    /// getStats without its 'transport' entries, as a Firefox that has no transport stats
    /// reports: the pair marked selected is then the only way to the pair in use.
    /// </summary>
    private const string NoTransportStatsScript = """
        () => {
          const original = RTCPeerConnection.prototype.getStats;
          RTCPeerConnection.prototype.getStats = async function (...args) {
            const report = await original.apply(this, args);
            const kept = new Map();
            report.forEach((s, id) => { if (s.type !== 'transport') kept.set(id, s); });
            return kept;
          };
        }
        """;

    /// <summary>
    /// Firefox through coturn over UDP, with direct UDP and TCP to the media port dropped; the
    /// admin view names the leg Firefox reported once connected. This Firefox (153 ESR) names
    /// its selected pair in transport stats, as Chromium does; with those hidden the client
    /// falls back to the pair Firefox marks <c>selected</c>.
    /// </summary>
    [Theory(Timeout = 240_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_udp_and_tcp_to_the_media_port_dropped_Firefox_goes_through_turn_and_the_admin_view_names_its_udp_leg(bool withoutTransportStats)
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using Coturn turn = await Coturn.StartAsync();
        await using SfuServerFixture relayed = await ReachingTheServerTests.ServerWithTurnAsync(turn, $"turn:127.0.0.1:{turn.Port}?transport=udp");
        SfuEngine engine = relayed.Services.GetRequiredService<SfuEngine>();
        await using Firewall firewall = await ReachingTheServerTests.OnlyRelayedUdpAsync(engine);

        await using FirefoxParticipant fox = await FirefoxParticipant.JoinAsync(firefox, relayed, "firefox-turn", "Fox", preloadScript: withoutTransportStats ? NoTransportStatsScript : null);
        await using BrowserParticipant chrome = await BrowserParticipant.JoinAsync(browser, relayed, "firefox-turn", "Chrome");
        await fox.WaitConnectedAsync(cancel);
        await ExpectMediaBothWaysAsync(fox, chrome, foxVideos: 1, cancel);

        Assert.Equal(withoutTransportStats, await fox.CallAsync<bool>("async () => { let none = true; (await window.sfu.pc.getStats()).forEach((s) => { if (s.type === 'transport') none = false; }); return none; }"));
        Assert.Equal("relay udp udp", await fox.CallAsync<string>(FirefoxSelectedLocalCandidateScript));
        Assert.All(engine.Rooms.Find("firefox-turn")!.Participants, p => Assert.Equal(TransportProtocol.Udp, p.Transport.SelectedProtocol));
        await ReachingTheServerTests.ExpectAdminPathsAsync(relayed, "firefox-turn", "relay udp");
    }

    /// <summary>Each page decodes the other's video and hears its audio.</summary>
    private static async Task ExpectMediaBothWaysAsync(FirefoxParticipant fox, BrowserParticipant chrome, int foxVideos, CancellationToken cancel)
    {
        await Eventually.UntilAsync(chrome.CountDecodingRemoteVideoAsync, c => c == foxVideos, Deadline, $"Chrome to decode {foxVideos} video tracks of Fox", cancel);
        await Eventually.UntilAsync(chrome.ReceivedAudioEnergyAsync, e => e > 0, Deadline, "Chrome to hear Fox", cancel);
        await Eventually.UntilAsync(fox.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Fox to decode Chrome's video", cancel);
        await Eventually.UntilAsync(fox.ReceivedAudioEnergyAsync, e => e > 0, Deadline, "Fox to hear Chrome", cancel);
    }
}
