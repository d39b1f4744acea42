using Sfu.Bots;

namespace Sfu.LoadTest.Tests;

/// <summary>
/// The load tool's downlink limit end to end: the server in its own process, bots that send
/// transport-wide feedback, their downlinks shaped by tc in the test's private network
/// namespace. What is asserted is that the server found the limit and the way back, not how fast.
/// </summary>
[Collection(nameof(ShapesLoopback))]
public sealed class DownlinkLimitTests
{
    [Fact(Timeout = 120_000)]
    public async Task Shaped_subscribers_are_fitted_under_the_limit_and_climb_back_to_the_top_layer_once_it_lifts()
    {
        Assert.SkipUnless(LoopbackShaper.InPrivateNamespace(), "needs a private network namespace (unshare -n), as the test command runs it");
        string trace = Path.Combine(Path.GetTempPath(), $"sfu-downlink-{Guid.NewGuid():N}.csv");
        var options = LoadOptions.Parse(
            ["fanout", "--simulcast", "--layer", "large", "--subscribers", "3", "--downlink-limit", "600k", "--downlink-lift", "6", "--duration", "26", "--warmup", "4", "--downlink-trace", trace]);

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        DownlinkSummary downlink = Assert.IsType<DownlinkSummary>(result.Downlink);
        TestContext.Current.SendDiagnosticMessage(downlink.Describe());
        Assert.Equal("1 → 3 simulcast large downlink 600 kbit/s", result.Shape);
        Assert.Equal(600_000, downlink.Limit);
        Assert.Equal(3, downlink.Subscribers);

        // Before the limit the estimates were above it; each fell to it or under while it held.
        Assert.True(downlink.EstimateBefore > downlink.Limit, downlink.Describe());
        Assert.Equal(0, downlink.NeverUnderLimit);
        Assert.True(downlink.ReceivedWhileLimited > 0 && downlink.ReceivedWhileLimited <= downlink.Limit, downlink.Describe());

        // Lifted, every estimate climbed past twice the limit, and the top layer came back.
        Assert.InRange(downlink.LiftedAfter, 6, 8);
        Assert.Equal(0, downlink.NeverRecovered);
        Assert.Equal("1280×720: 3", result.ReceivedLayers);

        // The trace: every bot sampled; from 3 s into the limit until the lift each one's key
        // frames were of a smaller layer, and at the end of the top one.
        string[] lines = await File.ReadAllLinesAsync(trace, TestContext.Current.CancellationToken);
        File.Delete(trace);
        Assert.Equal(DownlinkTracePoint.CsvHeader, lines[0]);
        for (int bot = 0; bot < 3; bot++)
        {
            List<DownlinkTracePoint> points = [];
            foreach (string line in lines)
            {
                if (DownlinkTracePoint.TryParse(line, out int who, out DownlinkTracePoint point) && who == bot)
                {
                    points.Add(point);
                }
            }

            Assert.True(points.Count > 50, $"bot {bot}: {points.Count} samples");
            Assert.All(points.Where(p => p.Seconds >= 3 && p.Limit > 0), p => Assert.InRange(p.Width, 1, 1279));
            Assert.Equal(1280, points[^1].Width);
            Assert.Contains("<polyline", DownlinkPlot.Render(lines, bot, "trace"), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new[] { "fanout", "--target", "relay", "--downlink-limit", "600k" }, "--downlink-limit needs --target sfu")]
    [InlineData(new[] { "fanout", "--downlink-limit", "20k" }, "not a rate of at least 50k")]
    [InlineData(new[] { "fanout", "--downlink-limit", "fast" }, "not a rate of at least 50k")]
    [InlineData(new[] { "fanout", "--downlink-lift", "5" }, "--downlink-lift needs --downlink-limit")]
    [InlineData(new[] { "fanout", "--downlink-trace", "t.csv" }, "--downlink-trace needs --downlink-limit")]
    [InlineData(new[] { "fanout", "--downlink-limit", "1.5M", "--downlink-lift", "10", "--duration", "10" }, "must come before the window")]
    public void Bad_downlink_options_are_refused_with_a_reason(string[] args, string reason)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(args));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("600k", 600_000)]
    [InlineData("1.5M", 1_500_000)]
    [InlineData("250000", 250_000)]
    public void Rates_are_read_in_bits_per_second_with_k_or_M(string rate, long bitsPerSecond)
        => Assert.Equal(bitsPerSecond, LoadOptions.Parse(["fanout", "--downlink-limit", rate]).DownlinkLimit);
}
