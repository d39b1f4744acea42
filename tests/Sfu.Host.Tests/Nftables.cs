using System.Diagnostics;
using System.Globalization;
using System.Net.NetworkInformation;

namespace Sfu.Host.Tests;

/// <summary>
/// Packet loss on a UDP port with nftables (numgen random: this kernel has no netem), in the
/// test's own network namespace only: a table of its own, removed when disposed.
/// </summary>
internal sealed class Nftables : IAsyncDisposable
{
    private readonly string _table;

    private Nftables(string table) => _table = table;

    /// <summary>Drops <paramref name="percent"/> % of the UDP datagrams arriving at <paramref name="port"/>, until disposed.</summary>
    public static async Task<Nftables> DropShareAsync(int port, int percent, CancellationToken cancellationToken)
    {
        string table = "sfutest" + Guid.NewGuid().ToString("N")[..8];
        string script = string.Create(
            CultureInfo.InvariantCulture,
            $$"""
            table inet {{table}} {
              chain input {
                type filter hook input priority 0; policy accept;
                udp dport {{port}} numgen random mod 100 < {{percent}} drop
              }
            }
            """);
        await RunAsync(["-f", "-"], script, cancellationToken);
        return new Nftables(table);
    }

    public async ValueTask DisposeAsync() => await RunAsync(["delete", "table", "inet", _table], null, CancellationToken.None);

    private static async Task RunAsync(string[] args, string? input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("nft")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("nft did not start");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        string error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }
}

/// <summary>Whether this process runs in a network namespace that has nothing but loopback (unshare -n), so firewall rules touch nobody else.</summary>
internal static class LoopbackOnlyNamespace
{
    public static bool IsCurrent => NetworkInterface.GetAllNetworkInterfaces().All(n => n.NetworkInterfaceType == NetworkInterfaceType.Loopback);
}
