namespace Sfu.Host.Cluster;

/// <summary>Where to connect for a room: the node's id (null on a single server) and its HTTP URL.</summary>
public sealed record Placement(string? NodeId, string Url);

/// <summary>Why no node was named.</summary>
public sealed record PlacementError(string Error);
