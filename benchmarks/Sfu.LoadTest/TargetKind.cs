namespace Sfu.LoadTest;

/// <summary>What forwards the packets under test.</summary>
internal enum TargetKind
{
    /// <summary>SfuRouter (Sfu.Host), started by the tool or attached with --server.</summary>
    Sfu,

    /// <summary>A plain UDP relay in its own process: the same fan-out, no crypto, no RTP logic.</summary>
    Relay,

    /// <summary>Janus VideoRoom over its HTTP API (started by benchmarks/compare.sh).</summary>
    Janus,
}
