using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sfu.Host.Tests;

/// <summary>
/// The Prometheus scrape of a live room, while other tests run servers of their own in the
/// same process: each server exports only its own meters.
/// </summary>
public sealed class MetricsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_scrape_counts_the_participants_present_forwarded_packets_rise_and_garbage_raises_the_drop_counter()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "metrics", "a", expectRemotes: 0, durationMs: 120000);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "metrics", "b", expectRemotes: 0, durationMs: 120000);

        PrometheusScrape first = await ScrapeUntilAsync(
            http,
            s => s.Sum("sfu_participants") == 2 && s.Sum("sfu_rtp_packets_forwarded_total", "kind=\"video\"") > 0 && s.Sum("sfu_rtp_packets_forwarded_total", "kind=\"audio\"") > 0,
            "two participants and forwarded audio and video",
            a.Diagnostics + b.Diagnostics,
            cancel);
        Assert.Equal(2, first.Sum("sfu_participants"));
        Assert.Equal(1, first.Sum("sfu_rooms"));
        Assert.Equal(4, first.Sum("sfu_tracks_published"));
        Assert.Equal(4, first.Sum("sfu_subscriptions"));
        Assert.True(first.Has("sfu_dtls_handshake_duration_seconds_bucket"), "a DTLS handshake time was recorded");
        Assert.True(first.Has("sfu_join_first_packet_duration_seconds_bucket"), "a join-to-first-packet time was recorded");
        Assert.True(first.Has("process_runtime_dotnet_gc_collections_count_total") || first.Text.Contains("dotnet_", StringComparison.Ordinal), "runtime instrumentation is exported");

        double forwardedBefore = first.Sum("sfu_rtp_packets_forwarded_total");
        double bytesBefore = first.Sum("sfu_rtp_bytes_forwarded_bytes_total");
        PrometheusScrape second = await ScrapeUntilAsync(
            http,
            s => s.Sum("sfu_rtp_packets_forwarded_total") > forwardedBefore,
            "forwarded packets to rise between two scrapes",
            a.Diagnostics,
            cancel);
        Assert.True(second.Sum("sfu_rtp_bytes_forwarded_bytes_total") > bytesBefore);
        Assert.True(second.Sum("sfu_rtp_packets_received_total") > 0);

        // Each media thread's load, one sample per receive thread; a room of two never splits.
        IReadOnlyList<string> loads = second.Samples("sfu_media_thread_load");
        Assert.True(loads.Count >= 1 && loads.All(l => l.Contains("thread=\"sfu-media-rx-", StringComparison.Ordinal)), second.Text);
        Assert.All(loads, l => Assert.InRange(double.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture), 0, 1));
        Assert.Equal(0, second.Sum("sfu_fanout_split_total"));

        // Garbage at the media port: every first-byte range RFC 7983 leaves unassigned.
        double malformedBefore = second.Sum("sfu_packets_dropped_total", "reason=\"malformed\"");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var media = new IPEndPoint(IPAddress.Loopback, server.Engine.MediaEndPoint.Port);
        var random = new Random(11);
        for (int i = 0; i < 50; i++)
        {
            byte[] junk = new byte[random.Next(1, 200)];
            random.NextBytes(junk);
            junk[0] = (byte)random.Next(64, 128);
            socket.SendTo(junk, media);
        }

        PrometheusScrape third = await ScrapeUntilAsync(
            http,
            s => s.Sum("sfu_packets_dropped_total", "reason=\"malformed\"") >= malformedBefore + 50,
            "the malformed drop counter to rise by 50",
            string.Empty,
            cancel);
        Assert.Equal(2, third.Sum("sfu_participants"));
    }

    [Fact]
    public async Task A_server_keeps_exporting_its_own_meters_when_another_server_in_the_process_stops()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        // The other server's meters exist first: were they exported here, this server's
        // instruments of the same names would be taken as duplicates and never seen.
        SfuTestServer other = await SfuTestServer.StartAsync();
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        Assert.Single((await PrometheusScrape.FetchAsync(http, cancel)).Samples("sfu_participants"));

        await other.DisposeAsync();
        server.Engine.Counters.Dropped(Sfu.Core.Diagnostics.DropReason.Replay);

        PrometheusScrape scrape = await ScrapeUntilAsync(http, s => s.Sum("sfu_packets_dropped_total", "reason=\"replay\"") == 1, "this server's drop counter", string.Empty, cancel);
        Assert.Single(scrape.Samples("sfu_participants"));
    }

    private static async Task<PrometheusScrape> ScrapeUntilAsync(HttpClient http, Func<PrometheusScrape, bool> done, string what, string diagnostics, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        PrometheusScrape scrape;
        while (!done(scrape = await PrometheusScrape.FetchAsync(http, cancel)))
        {
            if (clock.Elapsed > Deadline)
            {
                Assert.Fail($"Timed out waiting for {what}. Last scrape:\n{scrape.Text}\n{diagnostics}");
            }

            await Task.Delay(250, cancel);
        }

        return scrape;
    }
}
