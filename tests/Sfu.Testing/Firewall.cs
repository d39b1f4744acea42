using System.Diagnostics;
using System.Globalization;

namespace Sfu.Testing;

/// <summary>
/// nftables rules in the test's own network namespace (the test command runs each project in a
/// private namespace with loopback only), in a table of their own that is deleted on dispose.
/// Takes rungs of the connection ladder away (drops on the output path) or makes a port lossy
/// (numgen random on the input path: this kernel has no netem).
/// </summary>
public sealed class Firewall : IAsyncDisposable
{
    private readonly string _table;

    private Firewall(string table) => _table = table;

    /// <summary>Adds <paramref name="rules"/> (nft rule syntax, e.g. "udp dport 50000 drop") to a new output chain.</summary>
    public static Task<Firewall> BlockAsync(params string[] rules) => ApplyAsync("output", rules, CancellationToken.None);

    /// <summary>Drops <paramref name="percent"/> % of the UDP datagrams arriving at <paramref name="port"/>, until disposed.</summary>
    public static Task<Firewall> DropShareAsync(int port, int percent, CancellationToken cancellationToken)
        => ApplyAsync("input", [string.Create(CultureInfo.InvariantCulture, $"udp dport {port} numgen random mod 100 < {percent} drop")], cancellationToken);

    public async ValueTask DisposeAsync() => await NftAsync(["delete", "table", "inet", _table], null, CancellationToken.None);

    private static async Task<Firewall> ApplyAsync(string hook, string[] rules, CancellationToken cancellationToken)
    {
        string table = "sfu_test_" + Guid.NewGuid().ToString("N")[..12];
        string script = $$"""
            table inet {{table}} {
              chain filter {
                type filter hook {{hook}} priority 0; policy accept;
                {{string.Join("\n    ", rules)}}
              }
            }
            """;
        await NftAsync(["-f", "-"], script, cancellationToken);
        return new Firewall(table);
    }

    private static async Task NftAsync(string[] args, string? input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("nft")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("nft did not start (scripts/test.sh installs nftables)");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        string error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }
}
