using System.Diagnostics;

namespace Sfu.Host.Tests;

/// <summary>Waits for something the server does on its own time; fails the test, naming it, after 10 s (or <c>seconds</c>).</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"timed out waiting for {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
