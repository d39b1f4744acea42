using System.Globalization;

namespace Sfu.Host.Tests;

/// <summary>One scrape of /metrics in the Prometheus text format, read line by line.</summary>
public sealed class PrometheusScrape(string text)
{
    public string Text { get; } = text;

    public static async Task<PrometheusScrape> FetchAsync(HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        return new PrometheusScrape(await http.GetStringAsync("/metrics", cancellationToken));
    }

    /// <summary>
    /// The sum of every sample of <paramref name="name"/> (exactly that name, any labels) whose
    /// labels contain <paramref name="label"/> when given, e.g. <c>reason="malformed"</c>.
    /// </summary>
    public double Sum(string name, string? label = null)
    {
        double total = 0;
        foreach (string line in Text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            string rest = line[name.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' '))
            {
                continue;
            }

            if (label is not null && !rest.Contains(label, StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            total += double.Parse(parts[^1], CultureInfo.InvariantCulture);
        }

        return total;
    }

    /// <summary>The sample lines of exactly <paramref name="name"/>.</summary>
    public IReadOnlyList<string> Samples(string name)
        => [.. Text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))];

    /// <summary>Whether any sample of <paramref name="name"/> was exported.</summary>
    public bool Has(string name) => Text.Split('\n').Any(l => !l.StartsWith('#') && l.StartsWith(name + "{", StringComparison.Ordinal));
}
