using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;
using Sfu.Host.Tests;

namespace Sfu.Browser.Tests;

/// <summary>
/// Video lost between a publishing browser and the server is asked for again (NACK) and
/// restored from the browser's retransmission (RTX): the subscriber counts none of it lost.
/// </summary>
public sealed class UplinkLossTests(BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 180_000)]
    public async Task Video_lost_on_the_publishers_uplink_is_repaired_at_the_server_and_the_subscriber_loses_none_of_it()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        int mediaPort = FreeUdpPort();
        await using var relay = new LossyUdpRelay(mediaPort, dropRtpToPeers: 0, dropVideoToServer: 0.05);
        var server = new SfuServerFixture($"--Sfu:Media:Port={mediaPort}", $"--Sfu:Media:AnnouncedPort={relay.Port}");
        await server.InitializeAsync();
        try
        {
            var engine = server.Services.GetRequiredService<SfuEngine>();
            await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "uplink-room", "Ada");
            await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "uplink-room", "Bob", "&camera=off");
            await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera", cancel);

            // Let a good share of Ada's video cross the lossy uplink (slower when a loaded
            // machine keeps her encoder's rate low), then stop the loss.
            await Eventually.UntilAsync(() => Task.FromResult(relay.DroppedToServer), d => d >= 30, TimeSpan.FromSeconds(90), "the relay to drop 30 of Ada's video packets", cancel);
            relay.DropVideoToServer = 0;
            (_, double receivedAtStop, _) = await bob.VideoReceptionAsync();

            // Chromium's packetsLost is cumulative (RFC 3550 §6.4.1: expected minus received).
            // Once 100 more packets have come, every packet dropped before the stop lies below
            // the highest Bob has, so a count of 0 means every one of them reached him.
            (double lost, double received, double nacks) = await Eventually.UntilAsync(
                bob.VideoReceptionAsync, r => r.Received >= receivedAtStop + 100 && r.Lost == 0, Deadline, "Bob to count no video lost", cancel);
            long dropped = relay.DroppedToServer;
            long repaired = engine.Counters.PacketsRepaired;
            string numbers = $"dropped {dropped}, NACKs sent {engine.Counters.NacksSent}, repaired {repaired}, Bob lost {lost} of {received} (his NACKs {nacks})";
            TestContext.Current.SendDiagnosticMessage(numbers);
            Assert.True(engine.Counters.NacksSent > 0, numbers);
            Assert.True(repaired >= dropped / 2, numbers);
            Assert.True(received > 0, numbers);

            // Operators see it too: the admin API's totals count the repairs.
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Add("X-Admin-Key", SfuServerFixture.AdminKey);
            using JsonDocument stats = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Url("/api/admin/stats")), cancel));
            Assert.True(stats.RootElement.GetProperty("totals").GetProperty("packetsRepaired").GetInt64() >= repaired);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
