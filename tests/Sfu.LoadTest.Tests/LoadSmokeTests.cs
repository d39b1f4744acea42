using System.Text.Json;

namespace Sfu.LoadTest.Tests;

/// <summary>
/// Short load runs end to end: the tool starts the server (or the raw relay) as its own process,
/// connects real bots, and reports. These check that every number is produced and that nothing
/// is lost on loopback; they assert no speeds.
/// </summary>
public sealed class LoadSmokeTests
{
    [Fact(Timeout = 120_000)]
    public async Task Fanout_one_to_twenty_through_the_sfu_reports_every_number_and_loses_nothing()
    {
        var options = LoadOptions.Parse(["fanout", "--subscribers", "20", "--duration", "10", "--warmup", "2"]);
        var progress = new StringWriter();

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(progress, inPlace: false), TestContext.Current.CancellationToken);

        // 20 subscribers × (audio + video) streams, all flowing over the whole window.
        Assert.Equal(40, result.ForwardedStreams);
        Assert.Equal(21, result.Participants);
        AssertNumbersProduced(result);
        Assert.Equal(0, result.LostPackets);
        Assert.Equal(0, result.LossPercent);
        Assert.Contains("pkt/s", progress.ToString(), StringComparison.Ordinal);

        // The JSON written for compare.sh carries the same numbers back.
        string path = Path.Combine(Path.GetTempPath(), $"sfu-load-{Guid.NewGuid():N}.json");
        try
        {
            await ResultJson.WriteAsync(path, [result]);
            using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
            JsonElement row = json.RootElement[0];
            foreach (string field in new[] { "forwardedPacketsPerSecond", "mbpsOut", "cpuSecondsPer1000Packets", "latencyP50Milliseconds", "latencyP99Milliseconds", "lossPercent" })
            {
                Assert.True(row.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.Number, $"{field} missing from {row}");
            }

            LoadResult back = Assert.Single(await ResultJson.ReadAsync(path));
            Assert.Equal(result.ForwardedPackets, back.ForwardedPackets);
            Assert.Contains("| sfu | fanout | 1 → 20 |", ResultTable.Render([back]), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory(Timeout = 120_000)]
    // Subscribers 0..5 ask for small, medium, large in turn; their key frames say what came.
    [InlineData("mixed", "1 → 6 simulcast", "320×180: 2, 640×360: 2, 1280×720: 2")]
    [InlineData("large", "1 → 6 simulcast large", "1280×720: 6")]
    public async Task Fanout_with_simulcast_gives_each_subscriber_the_layer_it_asks_for_and_loses_nothing(string layer, string shape, string received)
    {
        var options = LoadOptions.Parse(["fanout", "--simulcast", "--layer", layer, "--subscribers", "6", "--duration", "3", "--warmup", "1"]);

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        Assert.Equal(shape, result.Shape);
        Assert.Equal(12, result.ForwardedStreams);
        AssertNumbersProduced(result);
        Assert.Equal(0, result.LostPackets);
        Assert.Equal(received, result.ReceivedLayers);
    }

    [Fact(Timeout = 120_000)]
    public async Task Fanout_to_subscribers_over_ice_tcp_loses_nothing()
    {
        var options = LoadOptions.Parse(["fanout", "--transport", "tcp", "--subscribers", "6", "--duration", "4", "--warmup", "1"]);

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        Assert.Equal("1 → 6 over tcp", result.Shape);
        Assert.Equal(12, result.ForwardedStreams);
        Assert.Equal(6, result.SubscribersOverTcp);
        AssertNumbersProduced(result);
        Assert.Equal(0, result.LostPackets);
    }

    [Fact(Timeout = 120_000)]
    public async Task Fanout_across_two_cluster_nodes_relays_each_publisher_packet_once_and_loses_nothing()
    {
        var options = LoadOptions.Parse(["fanout", "--nodes", "2", "--subscribers", "6", "--duration", "4", "--warmup", "1"]);

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        Assert.Equal("1 → 6 on 2 nodes", result.Shape);
        Assert.Equal(12, result.ForwardedStreams);
        AssertNumbersProduced(result);
        Assert.Equal(0, result.LostPackets);
        IReadOnlyList<double> nodes = Assert.IsAssignableFrom<IReadOnlyList<double>>(result.NodeCores);
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, cores => Assert.True(cores > 0, $"node cores: {string.Join(", ", nodes)}"));
        Assert.Equal(result.ServerCores, nodes.Sum(), 3);

        // The publisher is on node 1 and three of the six subscribers on node 2: the relay
        // carries each of the publisher's packets once for all three, not once per subscriber.
        double publisherRate = result.ForwardedPacketsPerSecond / 6;
        double relayed = Assert.IsType<double>(result.RelayedPacketsPerSecond);
        Assert.InRange(relayed, 0.8 * publisherRate, 1.2 * publisherRate);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_raw_relay_runs_the_same_fanout_in_its_own_process()
    {
        var options = LoadOptions.Parse(["fanout", "--target", "relay", "--subscribers", "5", "--duration", "2", "--warmup", "1"]);

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        Assert.Equal(10, result.ForwardedStreams);
        AssertNumbersProduced(result);
        Assert.Equal(0, result.LostPackets);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_raw_relay_runs_rooms_in_its_own_process()
    {
        var options = LoadOptions.Parse(["rooms", "--target", "relay", "--rooms", "2", "--room-size", "3", "--duration", "2", "--warmup", "1"]);

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        // 2 rooms × 3 members, each receiving audio and video from the other two.
        Assert.Equal(24, result.ForwardedStreams);
        Assert.Equal("2 rooms × 3", result.Shape);
        AssertNumbersProduced(result);
        Assert.Equal(0, result.LostPackets);
    }

    [Theory]
    [InlineData(new string[0], "Name a scenario")]
    [InlineData(new[] { "mesh" }, "'mesh' is not one of fanout, rooms, audio")]
    [InlineData(new[] { "fanout", "--subscribers", "-3" }, "--subscribers: '-3' is not a whole number")]
    [InlineData(new[] { "fanout", "--subscribers" }, "--subscribers needs a value")]
    [InlineData(new[] { "audio", "--target", "janus", "--server", "http://127.0.0.1:8088/janus", "--server-pid", "1" }, "janus target runs the fanout and rooms scenarios only")]
    [InlineData(new[] { "audio", "--target", "relay" }, "runs the fanout and rooms scenarios only")]
    [InlineData(new[] { "fanout", "--server", "http://127.0.0.1:5080" }, "--server needs --server-pid")]
    [InlineData(new[] { "audio", "--participants", "3", "--speakers", "4" }, "--speakers cannot exceed --participants")]
    [InlineData(new[] { "fanout", "--colour", "red" }, "Unknown option --colour")]
    [InlineData(new[] { "fanout", "--target", "relay", "--simulcast" }, "--simulcast needs --target sfu")]
    [InlineData(new[] { "fanout", "--layer", "large" }, "--layer needs --simulcast")]
    [InlineData(new[] { "fanout", "--simulcast", "--layer", "huge" }, "'huge' is not one of mixed, small, medium, large")]
    [InlineData(new[] { "fanout", "--transport", "sctp" }, "'sctp' is not one of udp, tcp")]
    [InlineData(new[] { "fanout", "--transport", "tcp", "--target", "relay" }, "--transport tcp needs --target sfu")]
    [InlineData(new[] { "fanout", "--transport", "tcp", "--subscriber-mode", "count" }, "--transport tcp needs --subscriber-mode full")]
    [InlineData(new[] { "fanout", "--transport", "tcp", "--downlink-limit", "600k" }, "--downlink-limit shapes UDP to the subscribers")]
    [InlineData(new[] { "fanout", "--nodes", "2", "--target", "relay" }, "--nodes needs --target sfu started by the tool")]
    [InlineData(new[] { "fanout", "--nodes", "0" }, "--nodes: '0' is not a whole number")]
    public void Bad_command_lines_are_refused_with_a_reason(string[] args, string reason)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(args));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "fanout" }, "1 → 50")]
    [InlineData(new[] { "fanout", "--simulcast" }, "1 → 50 simulcast")]
    [InlineData(new[] { "fanout", "--simulcast", "--layer", "large" }, "1 → 50 simulcast large")]
    [InlineData(new[] { "fanout", "--nodes", "2" }, "1 → 50 on 2 nodes")]
    public void The_shape_names_simulcast_and_a_single_layer(string[] args, string shape)
        => Assert.Equal(shape, ScenarioPlan.Describe(LoadOptions.Parse(args)));

    [Theory]
    [InlineData("fanout", 1 + 50)]
    [InlineData("rooms", 10 * 4)]
    [InlineData("audio", 50)]
    public void Every_scenario_plans_its_participants_publishers_first(string scenario, int participants)
    {
        IReadOnlyList<BotPlan> plan = ScenarioPlan.Create(LoadOptions.Parse([scenario]));

        Assert.Equal(participants, plan.Count);
        Assert.True(plan[0].PublishAudio);
        int publishers = plan.Count(p => p.PublishAudio || p.PublishVideo);
        Assert.All(plan.Take(publishers), p => Assert.True(p.PublishAudio || p.PublishVideo));
    }

    internal static void AssertNumbersProduced(LoadResult result)
    {
        Assert.True(result.ForwardedPackets > 0, $"nothing forwarded: {result}");
        Assert.True(result.ForwardedPacketsPerSecond > 0);
        Assert.True(result.MbpsOut > 0);
        Assert.True(result.ServerCpuSeconds > 0, $"no server CPU time read: {result}");
        Assert.True(result.CpuSecondsPer1000Packets > 0);
        Assert.True(result.PacketsPerCpuSecond > 0);
        Assert.True(result.LoadToolCores > 0, $"no load tool CPU time read: {result}");
        Assert.False(double.IsNaN(result.LatencyP50Milliseconds));
        Assert.False(double.IsNaN(result.LatencyP99Milliseconds));
        Assert.True(result.LatencyP99Milliseconds >= result.LatencyP50Milliseconds);
        Assert.True(result.ExpectedPackets >= result.ForwardedPackets);
    }
}
