using System.Net;

namespace Sfu.Bots;

/// <summary>
/// Our one host candidate paired with one remote candidate. Pair priority follows RFC 8445
/// §6.1.2.3 with us as the controlling agent (G = our priority, D = theirs):
/// 2^32 * MIN(G, D) + 2 * MAX(G, D) + (G &gt; D ? 1 : 0).
/// </summary>
internal sealed class IceCandidatePair(IPEndPoint remote, uint remotePriority, uint localPriority)
{
    public IPEndPoint Remote { get; } = remote;

    public SocketAddress RemoteAddress { get; } = remote.Serialize();

    public uint RemotePriority { get; } = remotePriority;

    public ulong Priority { get; } =
        ((ulong)Math.Min(localPriority, remotePriority) << 32)
        + (2UL * Math.Max(localPriority, remotePriority))
        + (localPriority > remotePriority ? 1UL : 0UL);

    public IcePairState State { get; set; } = IcePairState.Waiting;

    /// <summary>A check for this pair should go out ahead of the ordinary schedule (RFC 8445 §7.3.1.4).</summary>
    public bool Triggered { get; set; }
}
