using System.Diagnostics;
using System.Globalization;

namespace Sfu.Bots;

/// <summary>
/// Limits what loopback carries to chosen UDP ports, as a slow downlink would: Linux traffic
/// control on <c>lo</c> (an htb root whose unclassified traffic passes untouched, one htb class
/// per shaped port holding a tbf queue of at most <see cref="QueueLatency"/>, and a u32 filter on
/// the destination port). <c>netem</c> is not needed. The kernel queues and drops, so what
/// arrives, and when, is what a bottleneck of that rate gives.
/// <para>
/// It changes the network namespace it runs in, so it runs only in a private one (nothing but
/// <c>lo</c>, as <c>unshare -n</c> gives) and as root; it refuses otherwise rather than shape a
/// shared machine's loopback. Removed on dispose. Every socket of the namespace shares lo's
/// root queue while it exists, so tests that shape run apart from the rest.
/// </para>
/// </summary>
public sealed class LoopbackShaper : IDisposable
{
    /// <summary>The longest a packet waits in a shaped queue before tbf drops instead.</summary>
    public static readonly TimeSpan QueueLatency = TimeSpan.FromMilliseconds(500);

    private const int FirstClass = 10;
    /// <summary>The veth pair benchmarks/compare.sh and the Janus tests make inside the private namespace for Janus's benchmark address.</summary>
    public static readonly IReadOnlyList<string> BenchmarkVethNames = ["bench0", "bench1"];

    private readonly Dictionary<(int Port, bool Source), Shaped> _ports = [];
    private bool _disposed;

    private LoopbackShaper()
    {
        // Loopback has no queue of its own; htb's direct queue for unclassified traffic takes lo's
        // txqueuelen (1,000) and drops beyond it, which a busy namespace fills. Everything not
        // shaped must pass as before, so that queue gets room enough never to drop.
        Tc("qdisc add dev lo root handle 1: htb direct_qlen 100000");
    }

    /// <summary>
    /// True in a network namespace whose only interfaces are loopback and, maybe, the veth pair
    /// the Janus setup adds inside it (<see cref="BenchmarkVethNames"/>, both ends in the
    /// namespace): the test and benchmark setup, where shaping <c>lo</c> touches nothing but
    /// this process's own traffic.
    /// </summary>
    public static bool InPrivateNamespace()
    {
        try
        {
            // /proc/self/net is this process's namespace (sysfs shows the mount's, not ours).
            string[] interfaces = [.. File.ReadLines("/proc/self/net/dev").Skip(2).Select(line => line.Split(':')[0].Trim())];
            return interfaces.Contains("lo") && interfaces.All(name => name == "lo" || BenchmarkVethNames.Contains(name));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Installs the root queue; throws with the reason when this namespace or user cannot be shaped.</summary>
    public static LoopbackShaper Create()
    {
        if (!InPrivateNamespace())
        {
            throw new InvalidOperationException(
                "Shaping needs a private network namespace with only loopback (run under `unshare -n sh -c 'ip link set lo up && ...'` as root), so that it never shapes a shared machine's lo.");
        }

        return new LoopbackShaper();
    }

    /// <summary>Limits UDP to <paramref name="port"/> on loopback to <paramref name="bitsPerSecond"/> (link-layer bytes count), or changes its limit.</summary>
    public void Limit(int port, long bitsPerSecond) => Limit((port, false), bitsPerSecond);

    /// <summary>Limits UDP from <paramref name="sourcePort"/> (a sender's uplink) as <see cref="Limit(int, long)"/> does UDP to a port.</summary>
    public void LimitFrom(int sourcePort, long bitsPerSecond) => Limit((sourcePort, true), bitsPerSecond);

    /// <summary>Lets UDP from <paramref name="sourcePort"/> through unlimited again.</summary>
    public void LiftFrom(int sourcePort) => Lift((sourcePort, true));

    /// <summary>tc's statistics of the queue of UDP from <paramref name="sourcePort"/>.</summary>
    public string StatisticsFrom(int sourcePort) => Statistics((sourcePort, true));

    private void Limit((int Port, bool Source) key, long bitsPerSecond)
    {
        int port = key.Port;
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerSecond, 8_000);
        string rate = string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1000}kbit");
        string latency = string.Create(CultureInfo.InvariantCulture, $"{(int)QueueLatency.TotalMilliseconds}ms");
        if (_ports.TryGetValue(key, out Shaped shaped))
        {
            Tc($"class change dev lo parent 1: classid 1:{shaped.Class} htb rate {rate} ceil {rate}");
            Tc($"qdisc change dev lo parent 1:{shaped.Class} handle {shaped.Class}: tbf rate {rate} burst 4kb latency {latency}");
            if (!shaped.Filtered)
            {
                AddFilter(key, shaped.Class);
                _ports[key] = shaped with { Filtered = true };
            }

            return;
        }

        int id = FirstClass + _ports.Count;
        Tc($"class add dev lo parent 1: classid 1:{id} htb rate {rate} ceil {rate}");
        Tc($"qdisc add dev lo parent 1:{id} handle {id}: tbf rate {rate} burst 4kb latency {latency}");
        AddFilter(key, id);
        _ports[key] = new Shaped(id, Filtered: true);
    }

    /// <summary>Lets UDP to <paramref name="port"/> through unlimited again (its queue stays, for <see cref="BytesSent"/>).</summary>
    public void Lift(int port) => Lift((port, false));

    private void Lift((int Port, bool Source) key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ports.TryGetValue(key, out Shaped shaped) && shaped.Filtered)
        {
            Tc($"filter del dev lo parent 1: prio {shaped.Class}");
            _ports[key] = shaped with { Filtered = false };
        }
    }

    /// <summary>The bytes <paramref name="port"/>'s queue has let through (tbf's "Sent", link-layer headers included); 0 for a port never shaped.</summary>
    public long BytesSent(int port) => StatisticAfter(Statistics(port), "Sent ");

    /// <summary>The packets <paramref name="port"/>'s queue dropped (full: they would have waited over <see cref="QueueLatency"/>).</summary>
    public long PacketsDropped(int port) => StatisticAfter(Statistics(port), "(dropped ");

    private static long StatisticAfter(string statistics, string label)
    {
        int at = statistics.IndexOf(label, StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        at += label.Length;
        int end = at;
        while (end < statistics.Length && char.IsAsciiDigit(statistics[end]))
        {
            end++;
        }

        return long.TryParse(statistics.AsSpan(at, end - at), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : 0;
    }

    /// <summary>tc's statistics of <paramref name="port"/>'s queue on one line: what it sent, dropped and holds.</summary>
    public string Statistics(int port) => Statistics((port, false));

    private string Statistics((int Port, bool Source) key)
    {
        if (!_ports.TryGetValue(key, out Shaped shaped))
        {
            return string.Empty;
        }

        (_, string output, _) = Run($"-s qdisc show dev lo parent 1:{shaped.Class}");
        return string.Join(" ", output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Run("qdisc del dev lo root");
        }
    }

    /// <summary>One filter per shaped port (destination or source), at a priority of its own so <see cref="Lift(int)"/> can remove just it.</summary>
    private static void AddFilter((int Port, bool Source) key, int id)
        => Tc($"filter add dev lo parent 1: protocol ip prio {id} u32 match ip protocol 17 0xff match ip {(key.Source ? "sport" : "dport")} {key.Port} 0xffff flowid 1:{id}");

    private static void Tc(string arguments)
    {
        (int exitCode, _, string error) = Run(arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"tc {arguments}: {error.Trim()} (shaping needs root and tc from iproute2)");
        }
    }

    private static (int ExitCode, string Output, string Error) Run(string arguments)
    {
        var start = new ProcessStartInfo("tc", arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using Process tc = Process.Start(start) ?? throw new InvalidOperationException("tc could not be started");
        Task<string> error = tc.StandardError.ReadToEndAsync();
        string output = tc.StandardOutput.ReadToEnd();
        tc.WaitForExit(5_000);
        return (tc.HasExited ? tc.ExitCode : -1, output, error.Result);
    }

    private readonly record struct Shaped(int Class, bool Filtered);
}
