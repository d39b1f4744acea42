using Sfu.Core.Routing;
using Sfu.Core.Srtp;

namespace Sfu.Host.Tests;

/// <summary>
/// Media through the SFU between werift peers: ICE (werift is a full, controlling agent;
/// we are lite), DTLS-SRTP in each profile, RTP both ways, renegotiation as peers join.
/// </summary>
public sealed class WeriftInteropTests
{
    private const int MinPackets = 20;

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
        AssertReceivesFrom(reportA, reportB.ParticipantId, a.Diagnostics);
        AssertReceivesFrom(reportB, reportA.ParticipantId, b.Diagnostics);
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
        AssertReceivesFrom(reportA, reportB.ParticipantId, a.Diagnostics);
        AssertReceivesFrom(reportB, reportA.ParticipantId, b.Diagnostics);
    }

    [Fact]
    public async Task Three_werift_peers_each_receive_the_other_two()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
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
                AssertReceivesFrom(report, other.ParticipantId, a.Diagnostics + b.Diagnostics + c.Diagnostics);
            }
        }

        Assert.True(server.Engine.Counters.PacketsForwarded(Core.MediaKind.Video) > 0);
    }

    private static void AssertReceivesFrom(WeriftReport report, string publisherId, string diagnostics)
    {
        Assert.True(report.ConnectionState == "connected", $"{report.ParticipantId} ended {report.ConnectionState}\n{diagnostics}");
        foreach (string kind in new[] { "audio", "video" })
        {
            WeriftTrack? track = report.Tracks.FirstOrDefault(t => t.StreamId == publisherId && t.Kind == kind);
            Assert.True(track is not null, $"{report.ParticipantId} has no {kind} track from {publisherId}\n{diagnostics}");
            Assert.True(track.Packets >= MinPackets, $"{report.ParticipantId} got {track.Packets} {kind} packets from {publisherId}\n{diagnostics}");
        }
    }

    private static async Task<IReadOnlyList<SrtpProfile>> WaitForConnectedProfilesAsync(SfuTestServer server, string room, int count)
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
