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

        return text.ToString();
    }

    /// <summary>
    /// Row <paramref name="i"/>'s packets per CPU-second over the <paramref name="baseline"/>
    /// target's of the same shape within one run: the nearest such row before it, else the first
    /// after it (compare.sh lists each round's rows together).
    /// </summary>
    private static string Ratio(IReadOnlyList<LoadResult> results, int i, string baseline)
    {
        LoadResult r = results[i];
        bool IsBaseline(LoadResult o) => o.Target == baseline && o.Scenario == r.Scenario && o.Shape == r.Shape;
        LoadResult? b = results.Take(i + 1).LastOrDefault(IsBaseline) ?? results.Skip(i).FirstOrDefault(IsBaseline);
        return b is null || double.IsNaN(b.PacketsPerCpuSecond) || b.PacketsPerCpuSecond == 0
            ? "–"
            : (r.PacketsPerCpuSecond / b.PacketsPerCpuSecond).ToString("0.00", CultureInfo.InvariantCulture);
    }
}
