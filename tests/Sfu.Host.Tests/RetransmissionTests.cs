using System.Net.Sockets;

namespace Sfu.Host.Tests;

/// <summary>
/// Loss between the server and a subscriber is repaired from the server's buffer: werift
/// NACKs what the relay dropped and the SFU resends it.
/// </summary>
public sealed class RetransmissionTests
{
    [Fact]
    public async Task Video_lost_on_the_way_to_a_subscriber_is_resent_when_it_nacks()
    {
        int mediaPort = FreeUdpPort();
        await using var relay = new LossyUdpRelay(mediaPort, dropRtpToPeers: 0.05);
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            $"--Sfu:Media:Port={mediaPort}", $"--Sfu:Media:AnnouncedPort={relay.Port}");
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "lossy", "a", expectRemotes: 0, durationMs: 6000, lingerMs: 1000);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "lossy", "b", expectRemotes: 0, durationMs: 6000, lingerMs: 1000);

        WeriftReport reportA = await a.WaitForReportAsync(TimeSpan.FromSeconds(30));
        await b.WaitForReportAsync(TimeSpan.FromSeconds(30));

        Assert.True(relay.Dropped > 0, "the relay dropped nothing");
        Assert.True(server.Engine.Counters.NacksReceived > 0, "no NACK reached the server\n" + a.Diagnostics);
        Assert.True(server.Engine.Counters.PacketsRetransmitted > 0, "nothing was resent");
        Assert.Contains(reportA.Tracks, t => t.Kind == "video" && t.Packets > 50);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
