using System.Text.RegularExpressions;

namespace Sfu.LoadTest;

/// <summary>Starts Sfu.Host as its own process on 127.0.0.1 with ephemeral HTTP and media ports.</summary>
internal static partial class SfuServerProcess
{
    /// <param name="adminKey">Turns the admin API on with this key (the tool reads downlink estimates from it), or null.</param>
    /// <param name="tcpConnections">ICE-TCP connections the run opens, all from one address: the per-address limit is raised to admit them.</param>
    /// <param name="clusterRedis">Makes the server a cluster node on this Redis, or null for a single server.</param>
    /// <param name="log">A file that gets every line the server writes, or null.</param>
    public static async Task<(ChildProcess Process, Uri Url)> StartAsync(string? hostDll, CancellationToken cancellationToken, string? adminKey = null, int tcpConnections = 0, string? clusterRedis = null, string? log = null)
    {
        string dll = hostDll ?? FindHostDll();
        string[] args =
        [
            $"--Sfu:Media:TcpMaxConnectionsPerAddress={Math.Max(16, tcpConnections)}",
            $"--Sfu:Media:TcpMaxUnauthenticated={Math.Max(256, tcpConnections)}",
            "--Urls=http://127.0.0.1:0",
            "--Sfu:Media:Port=0",
            .. adminKey is null ? Array.Empty<string>() : [$"--Sfu:Admin:Key={adminKey}"],
            .. clusterRedis is null ? Array.Empty<string>() : [$"--Sfu:Cluster:Redis={clusterRedis}"],

            // A benchmark server: 1 → 1,000 is more participants than the default admits.
            "--Sfu:Limits:MaxParticipants=0",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        ];
        (ChildProcess process, Match ready) = await ChildProcess.StartDotnetAsync(dll, args, ListeningLine(), TimeSpan.FromSeconds(60), cancellationToken, log).ConfigureAwait(false);
        return (process, new Uri(ready.Groups["url"].Value));
    }

    /// <summary>Sfu.Host.dll of the same configuration as this tool, else the other one.</summary>
    private static string FindHostDll()
    {
        string configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        string other = configuration == "Release" ? "Debug" : "Release";
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (string config in new[] { configuration, other })
            {
                string candidate = Path.Combine(dir.FullName, "src", "Sfu.Host", "bin", config, "net10.0", "Sfu.Host.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("Sfu.Host.dll not found: build src/Sfu.Host or pass --host-dll.");
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
