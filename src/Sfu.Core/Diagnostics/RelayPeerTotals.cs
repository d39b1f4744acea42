namespace Sfu.Core.Diagnostics;

/// <summary>What one relay link to a peer node has carried so far, for the meter.</summary>
public readonly record struct RelayPeerTotals(string PeerNodeId, long PacketsSent, long PacketsReceived, long BytesSent, long BytesReceived);
