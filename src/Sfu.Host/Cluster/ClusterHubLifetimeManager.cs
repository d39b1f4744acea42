using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// SignalR's Redis backplane, made to survive its Redis. The backplane delivers even a
/// node's own broadcasts through Redis (a node hears its group's messages on the group's
/// channel), so without Redis its local rooms would go silent. This keeps every connection
/// and group in SignalR's in-process manager as well, and sends through the backplane only
/// while Redis answers and the backplane knows every local connection and group; otherwise
/// (and when a publish fails) it delivers to this node's connections directly. Membership
/// that changed while Redis was away is replayed to the backplane when it returns, before
/// broadcasts go through it again.
/// </summary>
internal sealed partial class ClusterHubLifetimeManager<THub> : HubLifetimeManager<THub>, IDisposable
    where THub : Hub
{
    private readonly DefaultHubLifetimeManager<THub> _local;
    private readonly IServiceProvider _services;
    private readonly RedisLink _link;
    private readonly ILogger<ClusterHubLifetimeManager<THub>> _logger;
    private readonly ConcurrentDictionary<string, Member> _members = new(StringComparer.Ordinal);

    // Serializes every change of the backplane's membership, so a replay sees a still picture.
    private readonly SemaphoreSlim _clusterGate = new(1, 1);
    private RedisHubLifetimeManager<THub>? _cluster;
    private volatile bool _synced;

    public ClusterHubLifetimeManager(
        DefaultHubLifetimeManager<THub> local,
        IServiceProvider services,
        RedisLink link,
        ILogger<ClusterHubLifetimeManager<THub>> logger)
    {
        _local = local;
        _services = services;
        _link = link;
        _logger = logger;
        _synced = link.IsUp;
        link.Dropped += OnDropped;
        link.Restored += OnRestored;
    }

    private bool ThroughCluster => _synced && _link.IsUp;

    // Created once Redis answered: its constructor subscribes to the backplane's channels.
    private RedisHubLifetimeManager<THub> Cluster => _cluster ??= _services.GetRequiredService<RedisHubLifetimeManager<THub>>();

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await _local.OnConnectedAsync(connection).ConfigureAwait(false);
        var member = new Member(connection);
        _members[connection.ConnectionId] = member;
        await SyncAsync(member).ConfigureAwait(false);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        await _local.OnDisconnectedAsync(connection).ConfigureAwait(false);
        if (!_members.TryRemove(connection.ConnectionId, out Member? member))
        {
            return;
        }

        // Always told, Redis or not: the backplane forgets the connection before it sends
        // anything. Under the gate, so a replay registering it right now is undone after.
        await _clusterGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (member.InCluster)
            {
                await Cluster.OnDisconnectedAsync(connection).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _link.Lost(e);
        }
        finally
        {
            _clusterGate.Release();
        }
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await _local.AddToGroupAsync(connectionId, groupName, cancellationToken).ConfigureAwait(false);
        if (_members.TryGetValue(connectionId, out Member? member))
        {
            member.Want(groupName, true);
            await SyncAsync(member).ConfigureAwait(false);
        }
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await _local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken).ConfigureAwait(false);
        if (_members.TryGetValue(connectionId, out Member? member))
        {
            member.Want(groupName, false);
            await SyncAsync(member).ConfigureAwait(false);
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendAllAsync(methodName, args, cancellationToken));

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken));

    // A connection of this node is reached directly, as the backplane itself does.
    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => _members.ContainsKey(connectionId)
            ? _local.SendConnectionAsync(connectionId, methodName, args, cancellationToken)
            : SendAsync(m => m.SendConnectionAsync(connectionId, methodName, args, cancellationToken));

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken));

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendGroupAsync(groupName, methodName, args, cancellationToken));

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendGroupsAsync(groupNames, methodName, args, cancellationToken));

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendUserAsync(userId, methodName, args, cancellationToken));

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => SendAsync(m => m.SendUsersAsync(userIds, methodName, args, cancellationToken));

    public void Dispose()
    {
        _link.Dropped -= OnDropped;
        _link.Restored -= OnRestored;
        _clusterGate.Dispose();
    }

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    private async Task SendAsync(Func<HubLifetimeManager<THub>, Task> send)
    {
        if (ThroughCluster)
        {
            try
            {
                await send(Cluster).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                // Redis went away under this publish: this node's members still hear it.
                _link.Lost(e);
            }
        }

        await send(_local).ConfigureAwait(false);
    }

    /// <summary>Brings the backplane's view of one connection to what it should be, while Redis answers.</summary>
    private async Task SyncAsync(Member member)
    {
        if (!ThroughCluster)
        {
            return;
        }

        await _clusterGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await SyncLockedAsync(member).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _link.Lost(e);
        }
        finally
        {
            _clusterGate.Release();
        }
    }

    private async Task SyncLockedAsync(Member member)
    {
        if (!_members.ContainsKey(member.Connection.ConnectionId))
        {
            return;
        }

        if (!member.InCluster)
        {
            await Cluster.OnConnectedAsync(member.Connection).ConfigureAwait(false);
            member.InCluster = true;
        }

        (string[] add, string[] remove) = member.Pending();
        foreach (string group in add)
        {
            await Cluster.AddToGroupAsync(member.Connection.ConnectionId, group).ConfigureAwait(false);
            member.Joined(group, true);
        }

        foreach (string group in remove)
        {
            await Cluster.RemoveFromGroupAsync(member.Connection.ConnectionId, group).ConfigureAwait(false);
            member.Joined(group, false);
        }
    }

    private async Task SyncAllLockedAsync()
    {
        foreach (Member member in _members.Values)
        {
            await SyncLockedAsync(member).ConfigureAwait(false);
        }
    }

    private void OnDropped() => _synced = false;

    private void OnRestored() => _ = ReplayAsync();

    /// <summary>Redis is back: the backplane learns every connection and group of the outage, then carries broadcasts again.</summary>
    private async Task ReplayAsync()
    {
        await _clusterGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await SyncAllLockedAsync().ConfigureAwait(false);
            _synced = _link.IsUp;

            // Connections and groups that arrived during the first pass saw the backplane not
            // yet in use and left themselves to this replay; later ones sync themselves.
            await SyncAllLockedAsync().ConfigureAwait(false);
            LogReplayed(_logger, _members.Count);
        }
#pragma warning disable CA1031 // A failed replay waits for the next return of Redis; local delivery goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _link.Lost(e);
        }
        finally
        {
            _clusterGate.Release();
        }
    }

    [LoggerMessage(EventId = 4508, Level = LogLevel.Information, Message = "The SignalR backplane carries this node's broadcasts again ({Connections} connections replayed)")]
    private static partial void LogReplayed(ILogger logger, int connections);

    /// <summary>One local connection: the groups it is in, and those the backplane knows of.</summary>
    private sealed class Member(HubConnectionContext connection)
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
        private readonly HashSet<string> _clusterGroups = new(StringComparer.Ordinal);

        public HubConnectionContext Connection => connection;

        public bool InCluster { get; set; }

        public void Want(string group, bool member)
        {
            lock (_gate)
            {
                _ = member ? _groups.Add(group) : _groups.Remove(group);
            }
        }

        public void Joined(string group, bool member)
        {
            lock (_gate)
            {
                _ = member ? _clusterGroups.Add(group) : _clusterGroups.Remove(group);
            }
        }

        public (string[] Add, string[] Remove) Pending()
        {
            lock (_gate)
            {
                return ([.. _groups.Except(_clusterGroups)], [.. _clusterGroups.Except(_groups)]);
            }
        }
    }
}
