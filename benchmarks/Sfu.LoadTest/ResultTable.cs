using System.Globalization;
using System.Text;

namespace Sfu.LoadTest;

/// <summary>
/// Renders results as one Markdown table, with each row's packets per CPU-second as a ratio to
/// SfuRouter's and to the SRTP relay's (the ceiling) in the same run; with more than one round
/// of a shape, a second table of medians over the rounds follows.
/// </summary>
internal static class ResultTable
{
    public static string Render(IReadOnlyList<LoadResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| target | scenario | shape | fwd pkt/s | Mbps out | server cores | CPU-s / 1000 pkt | pkt / CPU-s | vs SfuRouter (pkt / CPU-s) | vs relay-srtp (pkt / CPU-s) | p50 ms | p99 ms | loss % |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < results.Count; i++)
        {
            LoadResult r = results[i];
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Target} | {r.Scenario} | {r.Shape} | {r.ForwardedPacketsPerSecond:N0} | {r.MbpsOut:0.0} | {r.ServerCores:0.00} | {r.CpuSecondsPer1000Packets:0.0000} | {r.PacketsPerCpuSecond:N0} | {Ratio(results, i, "sfu")} | {Ratio(results, i, "relay-srtp")} | {r.LatencyP50Milliseconds:0.00} | {r.LatencyP99Milliseconds:0.00} | {r.LossPercent:0.000} |"));
        }

        AppendMedians(text, results);
        foreach (LoadResult r in results.Where(r => r.LongestReadingGapSeconds > LoadResult.StalledReadingGapSeconds))
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"\nSuspect: {r.Target} {r.Shape} (started {r.StartedAt:HH:mm:ss}): one of the load tool's one-second readings took {r.LongestReadingGapSeconds:0.0} s, so the tool itself stalled and its publishers may have sent less than planned."));
        }

        return text.ToString();
    }

    /// <summary>
    /// Per shape and target, over its rounds: the median packets per CPU-second, and the median
    /// and range of the ratio to the SRTP relay of the same round. One round on this machine
    /// swings by a tenth either way; the median of three is what a target is judged by. Written
    /// only when some shape ran more than once.
    /// </summary>
    private static void AppendMedians(StringBuilder text, IReadOnlyList<LoadResult> results)
    {
        var groups = results
            .Select((r, i) => (r.Scenario, r.Shape, r.Target, r.PacketsPerCpuSecond, VsRelay: RatioValue(results, i, "relay-srtp")))
            .GroupBy(r => (r.Scenario, r.Shape, r.Target))
            .ToList();
        if (groups.All(g => g.Count() < 2))
        {
            return;
        }

        text.AppendLine();
        text.AppendLine("| target | scenario | shape | rounds | median pkt / CPU-s | median vs relay-srtp | vs relay-srtp, lowest – highest |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|");
        foreach (var group in groups)
        {
            double[] ratios = [.. group.Select(r => r.VsRelay).Where(v => !double.IsNaN(v))];
            string median = ratios.Length == 0 ? "–" : Median(ratios).ToString("0.00", CultureInfo.InvariantCulture);
            string range = ratios.Length == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{ratios.Min():0.00} – {ratios.Max():0.00}");
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {group.Key.Target} | {group.Key.Scenario} | {group.Key.Shape} | {group.Count()} | {Median([.. group.Select(r => r.PacketsPerCpuSecond)]):N0} | {median} | {range} |"));
        }
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /// <summary>
    /// Row <paramref name="i"/>'s packets per CPU-second over the <paramref name="baseline"/>
    /// target's in the same round: compare.sh writes each round's rows together, one per target,
    /// so a round is the longest stretch of rows around <paramref name="i"/> with the same
    /// scenario and shape in which no target repeats. A row of another round is never the
    /// baseline (rounds differ by more than the noise the ratio is meant to cancel).
    /// </summary>
    private static string Ratio(IReadOnlyList<LoadResult> results, int i, string baseline)
    {
        double ratio = RatioValue(results, i, baseline);
        return double.IsNaN(ratio) ? "–" : ratio.ToString("0.00", CultureInfo.InvariantCulture);
    }

    /// <summary>As <see cref="Ratio"/>, NaN where the round has no usable baseline.</summary>
    private static double RatioValue(IReadOnlyList<LoadResult> results, int i, string baseline)
    {
        (int first, int last) = Round(results, i);
        for (int j = first; j <= last; j++)
        {
            LoadResult b = results[j];
            if (b.Target == baseline)
            {
                return double.IsNaN(b.PacketsPerCpuSecond) || b.PacketsPerCpuSecond == 0
                    ? double.NaN
                    : results[i].PacketsPerCpuSecond / b.PacketsPerCpuSecond;
            }
        }

        return double.NaN;
    }

    /// <summary>The first and last row of the round that holds row <paramref name="i"/>.</summary>
    internal static (int First, int Last) Round(IReadOnlyList<LoadResult> results, int i)
    {
        // Rounds are cut from the top: a row opens a new round when its shape changes or its
        // target already appeared in the round being built.
        int first = 0;
        var targets = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < results.Count; j++)
        {
            bool sameStretch = j > first
                && results[j].Scenario == results[first].Scenario
                && results[j].Shape == results[first].Shape
                && !targets.Contains(results[j].Target);
            if (!sameStretch && j > first)
            {
                if (i < j)
                {
                    return (first, j - 1);
                }

                first = j;
                targets.Clear();
            }

            targets.Add(results[j].Target);
        }

        return (first, results.Count - 1);
    }
}
