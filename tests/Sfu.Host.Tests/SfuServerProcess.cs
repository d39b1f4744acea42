using System.Diagnostics;
using System.Globalization;

namespace Sfu.Host.Tests;

/// <summary>
/// The real server as a process of its own (the Sfu.Host build next to the tests), on a free
/// 127.0.0.1 port: for what only a separate process shows, such as a node that dies. Killed
/// (the process the test started) on dispose.
/// </summary>
internal sealed class SfuServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SfuServerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<SfuServerProcess> StartAsync(params string[] extraArgs)
    {
        string host = Path.Combine(AppContext.BaseDirectory, "Sfu.Host.dll");
        Assert.True(File.Exists(host), $"{host} is missing: build the tests");
        string url = $"http://127.0.0.1:{FreePort.Tcp().ToString(CultureInfo.InvariantCulture)}";
        Process process = ChildProcess.Start("dotnet", AppContext.BaseDirectory,
            [host, $"--Urls={url}", "--Sfu:Media:Port=0", "--Logging:LogLevel:Default=Warning", .. extraArgs]);
        var server = new SfuServerProcess(process, url);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Ends the process at once, as a crash or a power cut would: nothing of it says goodbye.</summary>
    public Task KillAsync() => ChildProcess.KillAsync(_process);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>Waits for its readiness probe to answer 200, 60 s at most (a cold start on a busy machine).</summary>
    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(_process.HasExited, "the server process exited during start");
            try
            {
                using HttpResponseMessage response = await http.GetAsync(BaseUrl + "/readyz", TestContext.Current.CancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                // A slow answer: ask again.
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the server process was not ready within 60 s");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
