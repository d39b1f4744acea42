namespace Sfu.Host.Cluster;

/// <summary>Decides about one relayed packet as it arrives (plain RTP, after SRTP); true drops it.</summary>
internal delegate bool RelayPacketFilter(ReadOnlySpan<byte> packet);
