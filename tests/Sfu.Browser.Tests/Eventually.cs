using System.Diagnostics;

namespace Sfu.Browser.Tests;

/// <summary>Polling with a deadline instead of fixed sleeps.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    // A stalled browser (a tab closing on a loaded two-core machine can hold Chromium's browser
    // process for over 10 s) delays the reading, not what is read: the probe gets this much past
    // the deadline before the wait gives up on it.
    private static readonly TimeSpan ProbeFloor = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SlowProbe = TimeSpan.FromSeconds(5);

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
            // A probe is bounded too: Playwright's evaluate has no timeout of its own, and a page
            // whose renderer stopped answering would otherwise hold the test with no word of why.
            TimeSpan left = timeout - clock.Elapsed;
            T value;
            TimeSpan asked = clock.Elapsed;
            try
            {
                value = await probe().WaitAsync(left > TimeSpan.Zero ? left + ProbeFloor : ProbeFloor, cancellationToken);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Timed out after {clock.Elapsed.TotalSeconds:0.#} s waiting for {what}: the probe itself did not answer");
                throw;
            }
            TimeSpan took = clock.Elapsed - asked;
            if (took > SlowProbe)
            {
                // Said, so a slow run shows where the browser stalled.
                TestContext.Current.SendDiagnosticMessage($"waiting for {what}: one reading took {took.TotalSeconds:0.#} s");
            }

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
