using System.Globalization;
using System.Text;

namespace Sfu.LoadTest;

/// <summary>Renders results as one Markdown table, with each row's packets per CPU-second as a ratio to SfuRouter's in the same run.</summary>
internal static class ResultTable
{
    public static string Render(IReadOnlyList<LoadResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| target | scenario | shape | fwd pkt/s | Mbps out | server cores | CPU-s / 1000 pkt | pkt / CPU-s | vs SfuRouter (pkt / CPU-s) | p50 ms | p99 ms | loss % |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < results.Count; i++)
        {
            LoadResult r = results[i];

            // Ratios are taken within one run: against the SfuRouter row of the same shape that
            // came last before this one (compare.sh lists each run's rows together, SfuRouter first).
            LoadResult? sfu = results.Take(i + 1).LastOrDefault(o => IsBaseline(o, r)) ?? results.FirstOrDefault(o => IsBaseline(o, r));
            string ratio = sfu is null || double.IsNaN(sfu.PacketsPerCpuSecond) || sfu.PacketsPerCpuSecond == 0
                ? "–"
                : (r.PacketsPerCpuSecond / sfu.PacketsPerCpuSecond).ToString("0.00", CultureInfo.InvariantCulture);
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Target} | {r.Scenario} | {r.Shape} | {r.ForwardedPacketsPerSecond:N0} | {r.MbpsOut:0.0} | {r.ServerCores:0.00} | {r.CpuSecondsPer1000Packets:0.0000} | {r.PacketsPerCpuSecond:N0} | {ratio} | {r.LatencyP50Milliseconds:0.00} | {r.LatencyP99Milliseconds:0.00} | {r.LossPercent:0.000} |"));
        }

        return text.ToString();
    }

    private static bool IsBaseline(LoadResult candidate, LoadResult row)
        => candidate.Target == "sfu" && candidate.Scenario == row.Scenario && candidate.Shape == row.Shape;
}
