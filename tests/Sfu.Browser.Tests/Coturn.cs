using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sfu.Browser.Tests;

/// <summary>
/// Debian's coturn, started for one test on 127.0.0.1 with a shared secret (use-auth-secret),
/// relaying from a small port range of its own so a firewall rule can tell its traffic from a
/// browser's. Stopped and its files removed on dispose.
/// </summary>
internal sealed class Coturn : IAsyncDisposable
{
    /// <summary>The ports coturn relays from: outside Linux's ephemeral range (32768–60999), where browsers' sockets live.</summary>
    public const int RelayMinPort = 20000;

    public const int RelayMaxPort = 20099;

    private readonly Process process;
    private readonly string directory;

    private Coturn(Process process, string directory, int port, string secret)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
        Secret = secret;
    }

    public int Port { get; }

    public string Secret { get; }

    public static async Task<Coturn> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("sfu-coturn-").FullName;
        int port = FreeTcpPort();
        string secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string config = Path.Combine(directory, "turnserver.conf");
        await File.WriteAllTextAsync(config, $"""
            listening-ip=127.0.0.1
            relay-ip=127.0.0.1
            listening-port={port}
            min-port={RelayMinPort}
            max-port={RelayMaxPort}
            use-auth-secret
            static-auth-secret={secret}
            realm=sfu.test
            fingerprint
            no-tls
            no-dtls
            no-cli
            no-multicast-peers
            allow-loopback-peers
            userdb={Path.Combine(directory, "turndb")}
            pidfile={Path.Combine(directory, "turnserver.pid")}
            log-file=stdout
            simple-log
            """);
        var start = new ProcessStartInfo("turnserver")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("turnserver did not start (scripts/test.sh installs coturn)");
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var turn = new Coturn(process, directory, port, secret);

        // Ready once it accepts TCP on its port.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return turn;
            }
            catch (SocketException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch
            {
                await turn.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static void Log(string? line)
    {
        if (line is not null && (line.Contains("ERROR", StringComparison.OrdinalIgnoreCase) || line.Contains("401", StringComparison.Ordinal)))
        {
            TestContext.Current.SendDiagnosticMessage("[coturn] " + line);
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
