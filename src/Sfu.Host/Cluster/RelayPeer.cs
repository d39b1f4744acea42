using System.Collections.Concurrent;
using System.Collections.Immutable;
using Sfu.Core.Relay;
using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// A peer node this node holds a relay link to: the address and fingerprint the link was opened
/// on (from the peer's directory entry), the remote producers of the peer's tracks, and the
/// interest each side last stated about the other's tracks.
/// </summary>
internal sealed class RelayPeer(RelayLink link, string relay, string fingerprint)
{
    public RelayLink Link => link;

    public string Relay => relay;

    public string Fingerprint => fingerprint;

    /// <summary>The remote producers of tracks published on this peer, by SSRC (each simulcast layer's).</summary>
    public ConcurrentDictionary<uint, Producer> Relayed { get; } = new();

    /// <summary>The remote producers of this peer's tracks, for the interest loop; swapped whole after each beat.</summary>
    public ImmutableArray<Producer> Followed { get; set; } = [];

    /// <summary>The layers of this peer's tracks (by SSRC) this node last said it wants (interest loop only).</summary>
    public HashSet<uint> Told { get; set; } = [];

    public long ToldAt { get; set; }

    /// <summary>The SSRCs of layers published here that this peer wants (under <see cref="RelayTargeting"/>'s gate).</summary>
    public HashSet<uint> Wants { get; } = [];

    public volatile bool Failed;
}
