using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Host.Tests;

namespace Sfu.Browser.Tests;

/// <summary>A room spanning two cluster nodes (a real redis-server, two real nodes) with a Chromium page on each.</summary>
public sealed class ClusterMediaTests(BrowserFixture browser)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(40);

    /// <summary>How many received tracks the page has sender reports for (remote-outbound-rtp exists once one arrived).</summary>
    private const string SenderReportedScript = """
        async () => {
          const pc = window.sfu?.pc;
          if (!pc) return 0;
          let count = 0;
          (await pc.getStats()).forEach((s) => { if (s.type === 'remote-outbound-rtp') count++; });
          return count;
        }
        """;

    [Fact(Timeout = 180_000)]
    public async Task A_page_on_each_node_decodes_the_others_video_and_receives_its_audio_over_the_relay()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using RedisServer redis = await RedisServer.StartAsync();
        string[] cluster = [$"--Sfu:Cluster:Redis={redis.ConnectionString}", "--Sfu:Cluster:HeartbeatSeconds=0.3", "--Sfu:Cluster:NodeTtlSeconds=2"];
        var nodeA = new SfuServerFixture(cluster);
        var nodeB = new SfuServerFixture(cluster);
        await nodeA.InitializeAsync();
        await nodeB.InitializeAsync();
        try
        {
            // The web client's default: each camera as simulcast layers.
            await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, nodeA, "span", "Ada");
            await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, nodeB, "span", "Bob");
            foreach ((BrowserParticipant page, string other) in new[] { (ada, "Bob"), (bob, "Ada") })
            {
                await Eventually.UntilAsync(page.RemoteTileNamesAsync, names => names.SequenceEqual([other]), MediaDeadline, $"{page.Name} to show {other}'s tile", cancel);
                await Eventually.UntilAsync(page.CountDecodingRemoteVideoAsync, count => count == 1, MediaDeadline, $"{page.Name} to decode {other}'s video", cancel);
                await Eventually.UntilAsync(page.CountReceivingRemoteAudioAsync, count => count == 1, MediaDeadline, $"{page.Name} to receive {other}'s audio", cancel);
            }

            // Each node forwards the other's member as a remote publisher of two tracks, the
            // camera with its simulcast layers, at least one of them flowing over the relay.
            foreach ((SfuServerFixture node, BrowserParticipant there) in new[] { (nodeA, bob), (nodeB, ada) })
            {
                Room span = node.Services.GetRequiredService<SfuEngine>().Rooms.Find("span")!;
                RemotePublisher remote = Assert.Single(span.RemotePublishers);
                Assert.Equal(await there.ParticipantIdAsync(), remote.Id);
                Assert.Equal(2, remote.Producers.Length);
                Producer camera = Assert.Single(remote.Producers, p => p.Kind == MediaKind.Video);
                Assert.True(camera.IsSimulcast);
                Assert.True(camera.Layers.Length > 1);
                Assert.Contains(camera.Layers, l => l.Stream is { PacketsReceived: > 0 });
            }

            // The publishers' sender reports travel with their tracks: each page gets reports
            // on both tracks it receives from the other node.
            foreach (BrowserParticipant page in new[] { ada, bob })
            {
                await Eventually.UntilAsync(() => page.CallAsync<int>(SenderReportedScript), count => count == 2, MediaDeadline, $"{page.Name} to get sender reports on both relayed tracks", cancel);
            }
        }
        finally
        {
            await nodeB.DisposeAsync();
            await nodeA.DisposeAsync();
        }
    }
}
