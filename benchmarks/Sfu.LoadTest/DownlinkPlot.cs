using System.Globalization;
using System.Text;

namespace Sfu.LoadTest;

/// <summary>
/// Draws one shaped subscriber's trace as an SVG line chart: the limit, the server's estimate,
/// what the allocator gave it and what it received, in kbit/s against seconds. The y axis stops
/// at four times the highest limit so the limited stretch stays readable; lines above it are
/// clipped at the top. The limit is drawn only while it holds.
/// </summary>
internal static class DownlinkPlot
{
    private const int Width = 800;
    private const int Height = 380;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 52;
    private const int Bottom = 44;

    private static readonly (string Name, string Colour, string Dash, Func<DownlinkTracePoint, long> Value)[] Series =
    [
        ("limit", "#888888", "6 4", p => p.Limit),
        ("estimate", "#1f77b4", "", p => p.Estimate),
        ("allocated", "#ff7f0e", "", p => p.Allocated),
        ("received", "#2ca02c", "", p => p.Received),
    ];

    /// <summary>Reads a trace written by the load tool and renders <paramref name="subscriber"/>'s samples.</summary>
    public static string Render(IEnumerable<string> csv, int subscriber, string title)
    {
        List<DownlinkTracePoint> points = [];
        foreach (string line in csv)
        {
            if (DownlinkTracePoint.TryParse(line, out int who, out DownlinkTracePoint point) && who == subscriber)
            {
                points.Add(point);
            }
        }

        if (points.Count < 2)
        {
            throw new InvalidOperationException($"The trace has fewer than two samples of subscriber {subscriber}.");
        }

        double seconds = points[^1].Seconds;
        double top = NiceCeiling(Math.Max(points.Max(p => p.Limit) * 4, 100_000) / 1000.0);
        double X(double s) => Left + (s / seconds * (Width - Left - Right));
        double Y(long bitsPerSecond) => Top + ((1 - (Math.Min(bitsPerSecond / 1000.0, top) / top)) * (Height - Top - Bottom));

        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        Append(svg, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        Append(svg, $"<text x=\"{Left}\" y=\"20\" font-size=\"14\">{Escape(title)}</text>");

        double yStep = top / 4;
        for (int i = 0; i <= 4; i++)
        {
            double y = Y((long)(i * yStep * 1000));
            Append(svg, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#e0e0e0\"/>");
            Append(svg, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{i * yStep:0}</text>");
        }

        int xStep = seconds > 40 ? 10 : 5;
        for (int s = 0; s <= seconds; s += xStep)
        {
            double x = X(s);
            Append(svg, $"<line x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Height - Bottom}\" stroke=\"#f0f0f0\"/>");
            Append(svg, $"<text x=\"{x:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{s}</text>");
        }

        Append(svg, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">seconds since the limit was set</text>");
        Append(svg, $"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">kbit/s</text>");

        int legend = Left;
        foreach ((string name, string colour, string dash, Func<DownlinkTracePoint, long> value) in Series)
        {
            var line = new StringBuilder();
            foreach (DownlinkTracePoint point in points)
            {
                // The limit is drawn while it holds; 0 means lifted, not a limit of nothing.
                if (name != "limit" || point.Limit > 0)
                {
                    line.Append(CultureInfo.InvariantCulture, $"{X(point.Seconds):0.#},{Y(value(point)):0.#} ");
                }
            }

            string dashes = dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : string.Empty;
            Append(svg, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\"{dashes} points=\"{line.ToString().TrimEnd()}\"/>");
            Append(svg, $"<line x1=\"{legend}\" y1=\"36\" x2=\"{legend + 18}\" y2=\"36\" stroke=\"{colour}\" stroke-width=\"2\"{dashes}/>");
            Append(svg, $"<text x=\"{legend + 22}\" y=\"40\">{name}</text>");
            legend += 30 + (name.Length * 7);
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Append(StringBuilder svg, FormattableString line) => svg.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>Rounds up to 1, 2 or 5 times a power of ten, so the axis reads in round numbers.</summary>
    private static double NiceCeiling(double value)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1.0, 2, 4, 5, 10 })
        {
            if (step * power >= value)
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
