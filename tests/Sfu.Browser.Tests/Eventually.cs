using System.Diagnostics;

namespace Sfu.Browser.Tests;

/// <summary>Polling with a deadline instead of fixed sleeps.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Reads <paramref name="probe"/> until <paramref name="done"/> holds or the deadline passes;
    /// then fails, naming <paramref name="what"/> and the last value seen.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T value = await probe();
            if (done(value))
            {
                return value;
            }
            if (clock.Elapsed >= timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {Describe(value)}");
            }
            await Task.Delay(Interval, cancellationToken);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        System.Collections.IEnumerable items => $"[{string.Join(", ", items.Cast<object?>())}]",
        _ => value.ToString() ?? "",
    };
}
