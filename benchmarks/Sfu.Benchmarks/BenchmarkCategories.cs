namespace Sfu.Benchmarks;

/// <summary>Categories the smoke test reads to know what each benchmark promises.</summary>
public static class BenchmarkCategories
{
    /// <summary>Steady-state per-packet work: must allocate nothing.</summary>
    public const string HotPath = "hot";

    /// <summary>Rejecting bad input: measured to show its cost, not held to zero allocation.</summary>
    public const string Rejection = "rejection";

    /// <summary>Sends real datagrams to 127.0.0.1.</summary>
    public const string Udp = "udp";
}
