using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Sfu.LoadTest;

/// <summary>
/// A redis-server of the run's own (Debian's package) on a free 127.0.0.1 port, without
/// persistence: the directory a cluster's nodes share.
/// </summary>
internal static partial class RedisProcess
{
    public const string Executable = "/usr/bin/redis-server";

    /// <summary>Starts it and returns the process and its StackExchange.Redis connection string.</summary>
    public static async Task<(ChildProcess Process, string ConnectionString)> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's redis-server (scripts/test.sh does).");
        }

        int port = FreeTcpPort();
        string[] args = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
        (ChildProcess process, _) = await ChildProcess.StartAsync(Executable, args, ReadyLine(), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        return (process, $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();
}
