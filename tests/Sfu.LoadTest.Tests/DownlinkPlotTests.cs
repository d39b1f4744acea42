using System.Xml.Linq;

namespace Sfu.LoadTest.Tests;

/// <summary>The downlink trace's CSV and the chart drawn from it.</summary>
public sealed class DownlinkPlotTests
{
    [Fact]
    public void A_trace_point_reads_back_as_written_and_other_lines_are_refused()
    {
        var point = new DownlinkTracePoint(12.345, 600_000, 543_210, 420_000, 466_123, 640);

        Assert.True(DownlinkTracePoint.TryParse(point.ToCsv(2), out int subscriber, out DownlinkTracePoint read));
        Assert.Equal(2, subscriber);
        Assert.Equal(point, read);
        Assert.False(DownlinkTracePoint.TryParse(DownlinkTracePoint.CsvHeader, out _, out _));
        Assert.False(DownlinkTracePoint.TryParse("1.0,0,600000,1,2", out _, out _));
    }

    [Fact]
    public void The_chart_has_a_line_per_series_for_the_chosen_subscriber_and_the_limit_only_while_it_held()
    {
        string[] csv =
        [
            DownlinkTracePoint.CsvHeader,
            new DownlinkTracePoint(0.2, 600_000, 5_000_000, 1_600_000, 1_500_000, 1280).ToCsv(0),
            new DownlinkTracePoint(0.4, 600_000, 500_000, 420_000, 450_000, 640).ToCsv(0),
            new DownlinkTracePoint(0.4, 600_000, 9, 9, 9, 0).ToCsv(1),
            new DownlinkTracePoint(0.6, 0, 700_000, 420_000, 440_000, 640).ToCsv(0),
            new DownlinkTracePoint(0.8, 0, 2_000_000, 1_550_000, 1_600_000, 1280).ToCsv(0),
        ];

        XElement svg = XElement.Parse(DownlinkPlot.Render(csv, 0, "a <test> & title"));

        XNamespace ns = "http://www.w3.org/2000/svg";
        string[][] lines = [.. svg.Elements(ns + "polyline").Select(p => p.Attribute("points")!.Value.Split(' '))];
        Assert.Equal(4, lines.Length);
        Assert.Equal(2, lines[0].Length);
        Assert.All(lines[1..], l => Assert.Equal(4, l.Length));
        Assert.Contains(svg.Elements(ns + "text"), t => t.Value == "a <test> & title");
        Assert.Throws<InvalidOperationException>(() => DownlinkPlot.Render(csv, 1, "one sample only"));
    }
}
