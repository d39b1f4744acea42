namespace Sfu.LoadTest.Tests;

/// <summary>The load tool's per-thread CPU of the server, read from /proc/&lt;pid&gt;/task/*/stat over the window.</summary>
public sealed class MediaThreadCpuTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_run_reports_the_cpu_of_each_media_thread_and_they_add_up_to_no_more_than_the_server()
    {
        var options = LoadOptions.Parse(["rooms", "--rooms", "4", "--room-size", "2", "--duration", "3", "--warmup", "1"]);

        LoadResult result = await LoadRunner.RunAsync(options, new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        // The server starts one media thread per core, each named for its socket, and one fewer
        // fan-out helper threads.
        IReadOnlyDictionary<string, double> threads = Assert.IsAssignableFrom<IReadOnlyDictionary<string, double>>(result.MediaThreadCores);
        string[] expected =
        [
            .. Enumerable.Range(0, Environment.ProcessorCount).Select(i => $"sfu-media-rx-{i}")
                .Concat(Enumerable.Range(0, Environment.ProcessorCount - 1).Select(i => $"sfu-media-fo-{i}"))
                .Order(StringComparer.Ordinal),
        ];
        Assert.Equal(expected, threads.Keys.Order(StringComparer.Ordinal));
        string numbers = $"{string.Join(", ", threads.Select(t => $"{t.Key} {t.Value:0.000}"))}; server {result.ServerCores:0.000} cores";
        Assert.True(threads.Values.All(c => c >= 0) && threads.Values.Sum() > 0, numbers);

        // Both read the same clock ticks (USER_HZ), so the threads can only be part of the process.
        Assert.True(threads.Values.Sum() <= result.ServerCores + 0.01, numbers);
    }
}
