using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sfu.Host.Tests;

/// <summary>
/// A real redis-server (Debian's package; scripts/test.sh installs it) of the test's own, on a
/// free 127.0.0.1 port, with no persistence; stopped (its process, which the test started) on dispose.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string of this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts it on <paramref name="port"/>, or on a free port.</summary>
    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: install Debian's redis-server (scripts/test.sh does).");
        port ??= FreePort.Tcp();
        Process process = ChildProcess.Start(Executable, Path.GetTempPath(),
            ["--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        var server = new RedisServer(process, port.Value);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Waits until it answers PING (RESP over a plain socket), 10 s at most.</summary>
    private async Task WaitReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(_process.HasExited, $"redis-server exited with {(_process.HasExited ? _process.ExitCode : 0)}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, TestContext.Current.CancellationToken);
                NetworkStream stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
                byte[] reply = new byte[16];
                int read = await stream.ReadAsync(reply, TestContext.Current.CancellationToken);
                if (Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "redis-server did not answer PING within 10 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.KillAsync(_process);
        _process.Dispose();
    }
}
