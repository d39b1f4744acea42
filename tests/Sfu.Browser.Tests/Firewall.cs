using System.Diagnostics;

namespace Sfu.Browser.Tests;

/// <summary>
/// nftables rules on this network namespace's output path (the test command runs each project in
/// a private namespace with loopback only), in a table of their own that is deleted on dispose.
/// Used to take rungs of the connection ladder away: UDP to the media port, TCP to it.
/// </summary>
internal sealed class Firewall : IAsyncDisposable
{
    private readonly string table;

    private Firewall(string table) => this.table = table;

    /// <summary>Adds <paramref name="rules"/> (nft rule syntax, e.g. "udp dport 50000 drop") to a new output chain.</summary>
    public static async Task<Firewall> BlockAsync(params string[] rules)
    {
        string table = "sfu_test_" + Guid.NewGuid().ToString("N")[..12];
        string script = $$"""
            table inet {{table}} {
              chain out {
                type filter hook output priority 0; policy accept;
                {{string.Join("\n    ", rules)}}
              }
            }
            """;
        await NftAsync(["-f", "-"], script);
        return new Firewall(table);
    }

    public async ValueTask DisposeAsync() => await NftAsync(["delete", "table", "inet", table], null);

    private static async Task NftAsync(string[] args, string? input)
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
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }
}
