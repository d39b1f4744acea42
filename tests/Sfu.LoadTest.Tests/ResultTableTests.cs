namespace Sfu.LoadTest.Tests;

/// <summary>
/// The comparison table's ratios: each row over the baseline of its own round, never of the
/// round before (compare.sh writes rounds one after the other, one row per target each).
/// </summary>
public sealed class ResultTableTests
{
    [Fact]
    public void Ratios_use_the_relay_of_the_same_round()
    {
        LoadResult[] rows =
        [
            Row("sfu", "1 → 200", 200_000), Row("relay-srtp", "1 → 200", 400_000),
            Row("sfu", "1 → 200", 210_000), Row("relay-srtp", "1 → 200", 300_000),
            Row("sfu", "1 → 500", 250_000), Row("relay-srtp", "1 → 500", 500_000),
        ];

        string[] lines = ResultTable.Render(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Columns: … | pkt / CPU-s | vs SfuRouter | vs relay-srtp | …
        Assert.Equal(("1.00", "0.50"), Ratios(lines[2]));
        Assert.Equal(("2.00", "1.00"), Ratios(lines[3]));
        Assert.Equal(("1.00", "0.70"), Ratios(lines[4]));
        Assert.Equal(("1.43", "1.00"), Ratios(lines[5]));
        Assert.Equal(("1.00", "0.50"), Ratios(lines[6]));
    }

    [Fact]
    public void A_round_without_the_baseline_shows_a_dash()
    {
        LoadResult[] rows = [Row("sfu", "1 → 50", 100_000), Row("sfu", "1 → 50", 120_000), Row("relay-srtp", "1 → 50", 200_000)];

        Assert.Equal((0, 0), ResultTable.Round(rows, 0));
        Assert.Equal((1, 2), ResultTable.Round(rows, 1));
        string[] lines = ResultTable.Render(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(("1.00", "–"), Ratios(lines[2]));
        Assert.Equal(("1.00", "0.60"), Ratios(lines[3]));
    }

    [Fact]
    public void A_run_whose_load_tool_stalled_is_named_under_the_table()
    {
        LoadResult[] rows =
        [
            Row("sfu", "25 rooms × 4", 80_000) with { LongestReadingGapSeconds = 19.2 },
            Row("sfu-tuned", "25 rooms × 4", 95_000) with { LongestReadingGapSeconds = 1.1 },
            Row("relay-srtp", "25 rooms × 4", 130_000),
        ];

        string[] suspects = [.. ResultTable.Render(rows).Split('\n').Where(l => l.StartsWith("Suspect:", StringComparison.Ordinal))];

        string suspect = Assert.Single(suspects);
        Assert.StartsWith("Suspect: sfu 25 rooms × 4 ", suspect, StringComparison.Ordinal);
        Assert.Contains("19.2 s", suspect, StringComparison.Ordinal);
    }

    [Fact]
    public void Rounds_of_a_shape_are_summed_up_by_their_medians()
    {
        LoadResult[] rows =
        [
            Row("sfu", "1 → 200", 200_000), Row("relay-srtp", "1 → 200", 400_000),
            Row("sfu", "1 → 200", 240_000), Row("relay-srtp", "1 → 200", 300_000),
            Row("sfu", "1 → 200", 330_000), Row("relay-srtp", "1 → 200", 500_000),
            Row("sfu", "1 → 500", 250_000), Row("relay-srtp", "1 → 500", 500_000),
        ];

        string[] lines = ResultTable.Render(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] medians = [.. lines.SkipWhile(l => !l.Contains("median", StringComparison.Ordinal)).Skip(2)];

        // Per round: 0.50, 0.80, 0.66 → median 0.66; the SFU's own median is the middle of 200k, 240k, 330k.
        Assert.Equal(["sfu", "fanout", "1 → 200", "3", "240,000", "0.66", "0.50 – 0.80"], Cells(medians[0]));
        Assert.Equal(["relay-srtp", "fanout", "1 → 200", "3", "400,000", "1.00", "1.00 – 1.00"], Cells(medians[1]));
        Assert.Equal(["sfu", "fanout", "1 → 500", "1", "250,000", "0.50", "0.50 – 0.50"], Cells(medians[2]));
        Assert.Equal(4, medians.Length);
    }

    [Fact]
    public void One_round_of_each_shape_has_no_table_of_medians()
    {
        LoadResult[] rows = [Row("sfu", "1 → 50", 100_000), Row("relay-srtp", "1 → 50", 200_000)];

        Assert.DoesNotContain("median", ResultTable.Render(rows), StringComparison.Ordinal);
    }

    private static string[] Cells(string line) => line.Split('|', StringSplitOptions.TrimEntries)[1..^1];

    private static (string VsSfu, string VsRelay) Ratios(string line)
    {
        string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
        return (cells[9], cells[10]);
    }

    private static LoadResult Row(string target, string shape, double packetsPerCpuSecond) => new()
    {
        Scenario = "fanout",
        Target = target,
        Shape = shape,
        Participants = 0,
        ForwardedStreams = 0,
        DurationSeconds = 10,
        ForwardedPackets = 0,
        ForwardedPacketsPerSecond = 0,
        MbpsOut = 0,
        ServerCpuSeconds = 0,
        ServerCores = 0,
        CpuSecondsPer1000Packets = 0,
        PacketsPerCpuSecond = packetsPerCpuSecond,
        LatencyP50Milliseconds = 0,
        LatencyP99Milliseconds = 0,
        ExpectedPackets = 0,
        LostPackets = 0,
        LossPercent = 0,
        ConnectRetries = 0,
        ProcessorCount = 2,
        StartedAt = DateTimeOffset.UnixEpoch,
        Environment = new Dictionary<string, string>(),
    };
}
