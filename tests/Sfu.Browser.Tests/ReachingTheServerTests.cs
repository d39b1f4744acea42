using Sfu.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sfu.Core;
using Sfu.Core.Net;

namespace Sfu.Browser.Tests;

/// <summary>
/// The connection ladder with rungs taken away by nftables in this network namespace: with UDP
/// to the media port dropped, Chromium reaches the server over ICE-TCP; with UDP and TCP to
/// the media port both dropped, it reaches it through Debian's coturn (TURN over UDP, over TCP
/// and over TLS), whose relayed UDP alone the firewall lets through. Each time the participants decode
/// each other's video and receive each other's audio, and both ends agree on the path.
/// </summary>
public sealed class ReachingTheServerTests(BrowserFixture browser)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The local candidate of the selected pair, as Chromium reports it: "type protocol [relayProtocol]".
    /// Chromium's active TCP candidate shows as peer-reflexive once connected ("prflx tcp").
    /// </summary>
    private const string SelectedLocalCandidateScript = """
        async () => {
          const report = await window.sfu?.pc?.getStats();
          if (!report) return '';
          let pair;
          report.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId); });
          const local = pair ? report.get(pair.localCandidateId) : undefined;
          return local ? `${local.candidateType} ${local.protocol} ${local.relayProtocol ?? ''}`.trim() : '';
        }
        """;

    /// <summary>What a page's inbound video and its transport look like, for the test's diagnostics.</summary>
    private const string InboundVideoScript = """
        async () => {
          const report = await window.sfu?.pc?.getStats();
          if (!report) return 'no peer connection';
          const out = [window.sfu.pc.iceConnectionState];
          report.forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') out.push(`video in: ${s.packetsReceived} packets, ${s.framesDecoded} decoded, ${s.keyFramesDecoded} keyframes, ${s.pliCount} PLI, ${s.nackCount} NACK`);
            if (s.type === 'candidate-pair' && s.nominated) out.push(`pair ${s.state} sent ${s.bytesSent} received ${s.bytesReceived}`);
          });
          return out.join('; ');
        }
        """;

    [Fact(Timeout = 180_000)]
    public async Task With_udp_to_the_media_port_dropped_participants_exchange_media_over_ice_tcp()
    {
        await using var server = new SfuServerFixture();
        await server.InitializeAsync();
        SfuEngine engine = server.Services.GetRequiredService<SfuEngine>();
        await using Firewall firewall = await Firewall.BlockAsync($"udp dport {engine.MediaEndPoint.Port} drop");

        await ExpectMediaBothWaysAsync(server, "ice-tcp-room", () => browser.NewContextAsync(), local => local is "host tcp" or "prflx tcp", async () =>
        {
            Assert.All(engine.Rooms.Find("ice-tcp-room")!.Participants, p => Assert.Equal(TransportProtocol.Tcp, p.Transport.SelectedProtocol));
            Assert.Equal(["host tcp", "host tcp"], await AdminCandidatePairsAsync(server, "ice-tcp-room"));
            Assert.Equal("host tcp=2", await ConnectionsMetricAsync(server));
        }, TestContext.Current.CancellationToken);
    }

    [Theory(Timeout = 180_000)]
    [InlineData("udp")]
    [InlineData("tcp")]
    [InlineData("tls")]
    public async Task With_udp_and_tcp_to_the_media_port_dropped_participants_exchange_media_through_turn(string turnTransport)
    {
        bool tls = turnTransport == "tls";
        await using Coturn turn = await Coturn.StartAsync(tls);
        string url = tls ? $"turns:127.0.0.1:{turn.TlsPort}?transport=tcp" : $"turn:127.0.0.1:{turn.Port}?transport={turnTransport}";
        await using SfuServerFixture server = await ServerWithTurnAsync(turn, url);
        SfuEngine engine = server.Services.GetRequiredService<SfuEngine>();
        await using Firewall firewall = await OnlyRelayedUdpAsync(engine);

        string room = "turn-" + turnTransport;
        Func<Task<IBrowserContext>> newContext = tls ? () => browser.NewContextTrustingAsync(turn.CertificateSpki!) : () => browser.NewContextAsync();
        await ExpectMediaBothWaysAsync(server, room, newContext, local => local == $"relay udp {turnTransport}", async () =>
        {
            Assert.All(engine.Rooms.Find(room)!.Participants, p => Assert.Equal(TransportProtocol.Udp, p.Transport.SelectedProtocol));
            await ExpectAdminPathsAsync(server, room, $"relay {turnTransport}");
            Assert.Equal($"relay {turnTransport}=2", await ConnectionsMetricAsync(server));
        }, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// The last rung as a user meets it: the client starts with every candidate allowed, direct
    /// UDP and TCP to the media port are dropped, and the TURN server does not answer at first
    /// (its port is dropped too, as when it restarts or its first packets are lost), so ICE stays
    /// checking. The page gives up on the first attempt, says in the page that media goes
    /// through TURN, and restarts relay-only; once TURN answers, both see and hear each other
    /// over relayed UDP, and the peer connection's policy is relay.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task When_no_path_connects_the_page_falls_back_to_turn_says_so_and_media_flows_relayed()
    {
        await using Coturn turn = await Coturn.StartAsync();
        await using SfuServerFixture server = await ServerWithTurnAsync(turn, $"turn:127.0.0.1:{turn.Port}?transport=udp");
        SfuEngine engine = server.Services.GetRequiredService<SfuEngine>();
        CancellationToken cancel = TestContext.Current.CancellationToken;

        await using Firewall direct = await OnlyRelayedUdpAsync(engine);
        Firewall? turnUnreachable = await Firewall.BlockAsync($"udp dport {turn.Port} drop");
        try
        {
            const string room = "relay-fallback";
            BrowserParticipant[] joined = [];
            await ExpectMediaBothWaysAsync(server, room, () => browser.NewContextAsync(), local => local == "relay udp udp", async () =>
            {
                Assert.All(engine.Rooms.Find(room)!.Participants, p => Assert.Equal(TransportProtocol.Udp, p.Transport.SelectedProtocol));
                await ExpectAdminPathsAsync(server, room, "relay udp");
                foreach (BrowserParticipant p in joined)
                {
                    Assert.Equal("relay", await p.CallAsync<string>("() => window.sfu.pc.getConfiguration().iceTransportPolicy"));
                }
            }, cancel, async participants =>
            {
                joined = participants;
                foreach (BrowserParticipant p in participants)
                {
                    ILocator notice = p.Page.GetByTestId("connection-notice");
                    string text = await Eventually.UntilAsync(
                        async () => await notice.IsVisibleAsync() ? await notice.TextContentAsync() ?? "" : "",
                        text => text.Length > 0, MediaDeadline, $"{p.Name}'s page to say it falls back to TURN", cancel);
                    TestContext.Current.SendDiagnosticMessage($"{p.Name}: notice '{text}'");

                    // Either reason is given only by a client that started with every candidate allowed.
                    Assert.Matches("^Media is relayed through a TURN server: (no direct connection after 6 s|the direct connection failed)\\.$", text);
                }

                await turnUnreachable.DisposeAsync();
                turnUnreachable = null;
            });
        }
        finally
        {
            if (turnUnreachable is not null)
            {
                await turnUnreachable.DisposeAsync();
            }
        }
    }

    /// <summary>A server of the test's own that hands its clients <paramref name="turn"/> at <paramref name="url"/>.</summary>
    internal static async Task<SfuServerFixture> ServerWithTurnAsync(Coturn turn, string url)
    {
        var server = new SfuServerFixture($"--Sfu:Turn:Urls:0={url}", $"--Sfu:Turn:Secret={turn.Secret}");
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Only coturn's relayed UDP may reach <paramref name="engine"/>'s media port; TCP to it not at all.</summary>
    internal static Task<Firewall> OnlyRelayedUdpAsync(SfuEngine engine) => Firewall.BlockAsync(
        $"udp dport {engine.MediaEndPoint.Port} udp sport != {Coturn.RelayMinPort}-{Coturn.RelayMaxPort} drop",
        $"tcp dport {engine.TcpListener!.LocalEndPoint.Port} drop");

    /// <summary>
    /// Two Chromium participants join (then <paramref name="joined"/> runs, if given) and see and
    /// hear each other over a selected pair that <paramref name="expectedPath"/> accepts; then,
    /// still connected, <paramref name="server"/>'s side is checked.
    /// </summary>
    private static async Task ExpectMediaBothWaysAsync(SfuServerFixture server, string room, Func<Task<IBrowserContext>> newContext, Func<string, bool> expectedPath, Func<Task> serverSide, CancellationToken cancel, Func<BrowserParticipant[], Task>? joined = null)
    {
        await using BrowserParticipant alice = await BrowserParticipant.JoinInAsync(await newContext(), server, room, "Alice");
        await using BrowserParticipant bob = await BrowserParticipant.JoinInAsync(await newContext(), server, room, "Bob");
        if (joined is not null)
        {
            await joined([alice, bob]);
        }

        foreach (BrowserParticipant p in new[] { alice, bob })
        {
            TestContext.Current.SendDiagnosticMessage($"{p.Name}: {await p.CallAsync<string>(InboundVideoScript)}");
            await Eventually.UntilAsync(p.CountDecodingRemoteVideoAsync, count => count == 1, MediaDeadline, $"{p.Name} to decode the other's video", cancel);
            await Eventually.UntilAsync(p.CountReceivingRemoteAudioAsync, count => count == 1, MediaDeadline, $"{p.Name} to receive the other's audio", cancel);
            string path = await p.CallAsync<string>(SelectedLocalCandidateScript);
            TestContext.Current.SendDiagnosticMessage($"{p.Name}: selected local candidate {path}; notice '{await p.Page.GetByTestId("connection-notice").TextContentAsync()}' restarts {await p.CallAsync<int>("() => window.sfu?.iceRestarts ?? -1")}");
            Assert.True(expectedPath(path), $"{p.Name}'s selected local candidate is '{path}'");
        }

        await serverSide();
    }

    /// <summary>
    /// What <c>/metrics</c> says of connected participants by path, as "path=count" for each
    /// path with any (every path is exported, 0 included).
    /// </summary>
    private static async Task<string> ConnectionsMetricAsync(SfuServerFixture server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        http.DefaultRequestHeaders.Add("X-Admin-Key", SfuServerFixture.AdminKey);
        string[] lines = (await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken)).Split('\n');
        var counts = lines
            .Where(l => l.StartsWith("sfu_connections{", StringComparison.Ordinal))
            .Select(l => (Path: l[(l.IndexOf("path=\"", StringComparison.Ordinal) + 6)..].Split('"')[0], Count: long.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Contains(counts, c => c.Path == "relay tls");
        return string.Join(", ", counts.Where(c => c.Count > 0).OrderBy(c => c.Path, StringComparer.Ordinal).Select(c => $"{c.Path}={c.Count}"));
    }

    /// <summary>
    /// Both participants of the room show <paramref name="path"/> in the admin view. A relayed
    /// client names its leg to the TURN server once connected, so the view may say plain
    /// "relay" for a moment first.
    /// </summary>
    internal static async Task ExpectAdminPathsAsync(SfuServerFixture server, string room, string path)
    {
        string[] paths = await Eventually.UntilAsync(
            () => AdminCandidatePairsAsync(server, room),
            p => p.Length == 2 && p.All(x => x == path), TimeSpan.FromSeconds(30), $"the admin view to show {path} for both", TestContext.Current.CancellationToken);
        Assert.Equal([path, path], paths);
    }

    private static async Task<string[]> AdminCandidatePairsAsync(SfuServerFixture server, string room)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        http.DefaultRequestHeaders.Add("X-Admin-Key", SfuServerFixture.AdminKey);
        JsonElement detail = await http.GetFromJsonAsync<JsonElement>($"/api/admin/rooms/{room}", TestContext.Current.CancellationToken);
        return [.. detail.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("candidatePair").GetString() ?? "")];
    }
}
