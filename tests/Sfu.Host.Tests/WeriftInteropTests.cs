using System.Net.Http.Json;
using System.Text.Json;
using Sfu.Core.Routing;
using Sfu.Core.Srtp;

namespace Sfu.Host.Tests;

/// <summary>
/// Media through the SFU between werift peers: ICE (werift is a full, controlling agent;
/// we are lite), DTLS-SRTP in each profile, RTP both ways, renegotiation as peers join. Each
/// publisher writes its id and a packet counter into its payloads, and each receiver checks
/// every payload byte and the SSRCs against the server's offers.
/// </summary>
public sealed class WeriftInteropTests
{
    private const int MinVerified = 20;

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    public async Task Two_werift_peers_receive_each_others_audio_and_video(SrtpProfile profile)
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Media:SrtpProfiles:0={profile}");
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "duo", "a", expectRemotes: 2, lingerMs: 1500);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "duo", "b", expectRemotes: 2, lingerMs: 1500);

        IReadOnlyList<SrtpProfile> negotiated = await WaitForConnectedProfilesAsync(server, "duo", count: 2);
        WeriftReport reportA = await a.WaitForReportAsync(TimeSpan.FromSeconds(30));
        WeriftReport reportB = await b.WaitForReportAsync(TimeSpan.FromSeconds(30));

        Assert.All(negotiated, p => Assert.Equal(profile, p));
        AssertReceivesFrom(reportA, reportB, a.Diagnostics);
        AssertReceivesFrom(reportB, reportA, b.Diagnostics);
    }

    [Fact]
    public async Task A_peer_that_offers_setup_passive_gets_a_dtls_client_server_and_media_flows()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "roles", "a", expectRemotes: 2, lingerMs: 1500, setup: "passive");
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "roles", "b", expectRemotes: 2, lingerMs: 1500);

        await WaitForConnectedProfilesAsync(server, "roles", count: 2);
        var roles = server.Engine.Rooms.Find("roles")!.Participants.Select(p => p.Transport.DtlsRole).Order().ToList();
        WeriftReport reportA = await a.WaitForReportAsync(TimeSpan.FromSeconds(30));
        WeriftReport reportB = await b.WaitForReportAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([Core.Dtls.DtlsRole.Client, Core.Dtls.DtlsRole.Server], roles);
        AssertReceivesFrom(reportA, reportB, a.Diagnostics);
        AssertReceivesFrom(reportB, reportA, b.Diagnostics);
    }

    [Fact]
    public async Task Three_werift_peers_each_receive_the_other_two()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await ThreePeersReceiveTheOtherTwoAsync(server);
    }

    /// <summary>
    /// The same room with every fan-out split (shards of one subscriber, one helper thread):
    /// each packet's two copies are made on two threads, and werift must still receive every
    /// payload intact, on the announced SSRC, with one constant offset per track.
    /// </summary>
    [Fact]
    public async Task Three_werift_peers_each_receive_the_other_two_when_each_copy_is_made_on_its_own_thread()
    {
        const string adminKey = "media threads on the dashboard, one key";
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Media:FanOutThreads=1", "--Sfu:Media:FanOutShard=1", "--Sfu:Media:FanOutSplitFromLoad=0", $"--Sfu:Admin:Key={adminKey}");
        WeriftReport[] reports = await ThreePeersReceiveTheOtherTwoAsync(server);

        // Nothing is lost on loopback, so no copy may be missing even for a moment (a NACK would
        // hide a copy a thread dropped) or arrive out of order.
        foreach (WeriftTrack track in reports.SelectMany(r => r.Tracks).Where(t => t.Kind == "video"))
        {
            Assert.True(track.Sequence is { GapsOpened: 0, Missing: 0 }, $"{track.StreamId}'s video: {JsonSerializer.Serialize(track.Sequence)}");
        }

        FanOutWorkers workers = server.Engine.FanOut;
        Assert.True(workers.Split > 100 && workers.ShardsByHelpers > 0, $"{workers.Split} fan-outs split, {workers.ShardsByHelpers} shards sent by the helper");

        // An operator sees the same on /metrics.
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        PrometheusScrape scrape = await PrometheusScrape.FetchAsync(http, TestContext.Current.CancellationToken);
        Assert.True(scrape.Sum("sfu_fanout_split_total") > 100 && scrape.Sum("sfu_fanout_helper_shards_total") > 0, scrape.Text);

        // And on the dashboard: the helper's CPU from /proc beside the receive loops', and the splits per second.
        http.DefaultRequestHeaders.Add(Sfu.Host.Admin.AdminKey.HeaderName, adminKey);
        var stats = await http.GetFromJsonAsync<Sfu.Host.Admin.StatsResponse>("/api/admin/stats", TestContext.Current.CancellationToken);
        string threads = JsonSerializer.Serialize(stats!.MediaThreads);
        // Receive loops first, then helpers (other tests' servers in this process add theirs under the same names).
        string[] names = [.. stats.MediaThreads.Select(t => t.Name)];
        Assert.Equal([.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => $"sfu-media-rx-{i}")], names.Take(Environment.ProcessorCount));
        Assert.Equal("sfu-media-fo-0", names[Environment.ProcessorCount]);
        Assert.All(stats.MediaThreads, t => Assert.Equal(stats.Time.Count, t.CpuPercent.Count));
        // The helper's few milliseconds here fall under /proc's 10 ms tick: only the receive loops' CPU must show.
        Assert.True(stats.MediaThreads.Where(t => t.Name.Contains("-rx-", StringComparison.Ordinal)).Sum(t => t.CpuPercent.Sum()) > 0, threads);
        Assert.True(stats.SplitFanOutsPerSecond.Sum() > 0, JsonSerializer.Serialize(stats.SplitFanOutsPerSecond));
    }

    private static async Task<WeriftReport[]> ThreePeersReceiveTheOtherTwoAsync(SfuTestServer server)
    {
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "trio", "a", expectRemotes: 4, lingerMs: 2000);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "trio", "b", expectRemotes: 4, lingerMs: 2000);
        await using WeriftPeer c = WeriftPeer.Start(server.BaseUrl, "trio", "c", expectRemotes: 4, lingerMs: 2000);

        WeriftReport[] reports = await Task.WhenAll(
            a.WaitForReportAsync(TimeSpan.FromSeconds(40)),
            b.WaitForReportAsync(TimeSpan.FromSeconds(40)),
            c.WaitForReportAsync(TimeSpan.FromSeconds(40)));

        foreach (WeriftReport report in reports)
        {
            foreach (WeriftReport other in reports.Where(r => r != report))
            {
                AssertReceivesFrom(report, other, a.Diagnostics + b.Diagnostics + c.Diagnostics);
            }
        }

        Assert.True(server.Engine.Counters.PacketsForwarded(Core.MediaKind.Video) > 0);
        return reports;
    }

    /// <summary>
    /// The receiver got the publisher's audio and video intact: every payload is the one the
    /// publisher wrote (so SRTP decrypted it right and nothing else was delivered on that
    /// track), on one SSRC per track, the one the server's offer announced for it (RFC 5576
    /// §4.1), not the publisher's own (the server sends each subscriber streams of its own),
    /// with sequence numbers and timestamps moved by one constant offset each.
    /// </summary>
    internal static void AssertReceivesFrom(WeriftReport report, WeriftReport publisher, string diagnostics)
    {
        Assert.True(report.ConnectionState == "connected", $"{report.ParticipantId} ended {report.ConnectionState}\n{diagnostics}");
        foreach (string kind in new[] { "audio", "video" })
        {
            WeriftTrack? track = report.Tracks.SingleOrDefault(t => t.StreamId == publisher.ParticipantId && t.Kind == kind);
            Assert.True(track is not null, $"{report.ParticipantId} has no {kind} track from {publisher.ParticipantId}\n{diagnostics}");
            string what = $"{report.ParticipantId}'s {kind} track from {publisher.ParticipantId}: {JsonSerializer.Serialize(track)}";
            Assert.True(track.Mismatches == 0, $"{what}\n{diagnostics}");
            Assert.True(track.Verified >= MinVerified, $"{what}\n{diagnostics}");

            Assert.True(track.Ssrcs.Count == 1 && track.AnnouncedSsrcs.Count == 1, what);
            uint ssrc = track.Ssrcs[0];
            KeyValuePair<uint, string> announced = track.AnnouncedSsrcs.Single();
            Assert.True(announced.Key == ssrc && announced.Value == publisher.ParticipantId, what);
            Assert.True(publisher.PublishedSsrcs[kind] != ssrc, $"{what}: the publisher's own SSRC");

            Assert.True(track.SequenceOffsets == 1 && track.TimestampOffsets == 1, what);
            TestContext.Current.SendDiagnosticMessage($"{report.ParticipantId} <- {publisher.ParticipantId} {kind}: {track.Verified} verified on SSRC {ssrc} (published on {publisher.PublishedSsrcs[kind]})");
        }

        List<uint> received = [.. report.Tracks.SelectMany(t => t.Ssrcs)];
        Assert.True(received.Distinct().Count() == received.Count, $"{report.ParticipantId} received SSRCs {string.Join(", ", received)}");
    }

    internal static async Task<IReadOnlyList<SrtpProfile>> WaitForConnectedProfilesAsync(SfuTestServer server, string room, int count)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            Room? live = server.Engine.Rooms.Find(room);
            if (live is not null)
            {
                var connected = live.Participants.Where(p => p.Transport.IsConnected).Select(p => p.Transport.SrtpProfile).ToList();
                if (connected.Count >= count)
                {
                    return connected;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"fewer than {count} participants connected in room {room}");
    }
}
