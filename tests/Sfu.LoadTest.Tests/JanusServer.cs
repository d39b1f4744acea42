using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Sfu.Bots;

namespace Sfu.LoadTest.Tests;

/// <summary>
/// Debian's Janus, started for a test as benchmarks/compare.sh starts it: configured by
/// benchmarks/janus-config.sh, its HTTP API on a free 127.0.0.1 port, and its ICE on the
/// benchmark address <see cref="IceAddress"/> (RFC 2544), which the test's private network
/// namespace gets on a veth pair because Janus gathers no candidates on loopback interfaces.
/// </summary>
internal sealed partial class JanusServer : IDisposable
{
    public const string Executable = "/usr/bin/janus";

    public static readonly IPAddress IceAddress = IPAddress.Parse("198.18.0.1");

    private readonly ChildProcess _process;
    private readonly string _config;

    private JanusServer(ChildProcess process, string config, Uri api)
    {
        _process = process;
        _config = config;
        Api = api;
    }

    public Uri Api { get; }

    public int ProcessId => _process.Id;

    public static async Task<JanusServer> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's janus (scripts/test.sh does).");
        }

        await AddBenchmarkAddressAsync(cancellationToken);
        string root = RepoRoot();
        string config = Directory.CreateTempSubdirectory("janus-").FullName;
        int port = FreeTcpPort();
        await RunAsync(Path.Combine(root, "benchmarks", "janus-config.sh"), [config, IceAddress.ToString(), port.ToString(CultureInfo.InvariantCulture)], cancellationToken);

        (ChildProcess process, _) = await ChildProcess.StartAsync(Executable, ["-C", Path.Combine(config, "janus.jcfg"), "-F", config], StartingLine(), TimeSpan.FromSeconds(10), cancellationToken);
        var server = new JanusServer(process, config, new Uri($"http://127.0.0.1:{port}/janus"));
        try
        {
            // At log level 3 Janus prints nothing once it listens: ask its API until it answers.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    using HttpResponseMessage response = await http.GetAsync(new Uri(server.Api, "/janus/info"), cancellationToken);
                    response.EnsureSuccessStatusCode();
                    return server;
                }
                catch (HttpRequestException) when (attempt < 100)
                {
                    await Task.Delay(100, cancellationToken);
                }
                catch (HttpRequestException e)
                {
                    throw new InvalidOperationException($"janus did not answer on {server.Api}: {e.Message}. Its last output:\n{process.LastOutput()}", e);
                }
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        Directory.Delete(_config, recursive: true);
    }

    /// <summary>The veth pair with the benchmark address, once per namespace (tests may share it).</summary>
    private static async Task AddBenchmarkAddressAsync(CancellationToken cancellationToken)
    {
        // The names the shaping tests' namespace check accepts beside lo.
        string near = LoopbackShaper.BenchmarkVethNames[0];
        string far = LoopbackShaper.BenchmarkVethNames[1];
        if (System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == near))
        {
            return;
        }

        await RunAsync("ip", ["link", "add", near, "type", "veth", "peer", "name", far], cancellationToken);
        await RunAsync("ip", ["link", "set", near, "up"], cancellationToken);
        await RunAsync("ip", ["link", "set", far, "up"], cancellationToken);
        await RunAsync("ip", ["addr", "add", IceAddress + "/32", "dev", near], cancellationToken);
    }

    private static async Task RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SfuRouter.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("SfuRouter.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("Starting Meetecho Janus")]
    private static partial Regex StartingLine();
}
