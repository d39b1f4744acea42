using System.Collections.Immutable;

namespace Sfu.Core.Routing;

/// <summary>
/// Whoever publishes a room's tracks: a <see cref="Participant"/> connected to this node, or a
/// <see cref="RemotePublisher"/> connected to another node whose tracks arrive over the relay.
/// Subscribers see no difference: both are a stream id (a=msid) and a list of producers.
/// </summary>
public interface IPublisher
{
    string Id { get; }

    Room Room { get; }

    ImmutableArray<Producer> Producers { get; }

    bool IsClosed { get; }
}
