using System.Globalization;
using System.Text;

namespace Sfu.LoadTest;

/// <summary>
/// Renders results as one Markdown table, with each row's packets per CPU-second as a ratio to
/// SfuRouter's and to the SRTP relay's (the ceiling) in the same run.
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

        foreach (LoadResult r in results.Where(r => r.LongestReadingGapSeconds > LoadResult.StalledReadingGapSeconds))
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"\nSuspect: {r.Target} {r.Shape} (started {r.StartedAt:HH:mm:ss}): one of the load tool's one-second readings took {r.LongestReadingGapSeconds:0.0} s, so the tool itself stalled and its publishers may have sent less than planned."));
        }

        return text.ToString();
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
        (int first, int last) = Round(results, i);
        for (int j = first; j <= last; j++)
        {
            LoadResult b = results[j];
            if (b.Target == baseline)
            {
                return double.IsNaN(b.PacketsPerCpuSecond) || b.PacketsPerCpuSecond == 0
                    ? "–"
                    : (results[i].PacketsPerCpuSecond / b.PacketsPerCpuSecond).ToString("0.00", CultureInfo.InvariantCulture);
            }
        }

        return "–";
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
