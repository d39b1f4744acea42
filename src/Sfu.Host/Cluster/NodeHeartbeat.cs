using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Cluster;

/// <summary>
/// Keeps this node in the directory (its entry and load, every
/// <see cref="ClusterOptions.HeartbeatInterval"/>) and cleans up after nodes that stopped
/// beating: their members leave the rooms in Redis, the rooms' clients on this node and
/// every other (through the backplane) hear ParticipantLeft, and the lobby gets the new list.
/// While Redis is unreachable the node keeps serving its own rooms and tries again each beat;
/// the first beat that gets through writes this node's rooms again (<see cref="RedisRoomRoster.RepublishAsync"/>),
/// tells <see cref="RedisLink"/> (the backplane replays its groups) and pushes the lobby's list.
/// </summary>
internal sealed partial class NodeHeartbeat(
    LocalNode node,
    NodeDirectory directory,
    RedisRoomRoster roster,
    RoomListService roomList,
    RoomLifecycle lifecycle,
    SfuEngine engine,
    IHubContext<SfuHub, ISfuClient> hub,
    RedisLink link,
    NodeRelays relays,
    IHostApplicationLifetime lifetime,
    IOptions<ClusterOptions> options,
    IOptions<LimitsOptions> limits,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private readonly CpuGauge _cpu = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The node's id and URL are what Kestrel listens on: known once the server started.
        if (!await StartedAsync(stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        bool cleaned = false;
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval);
        do
        {
            try
            {
                await directory.BeatAsync(Load()).ConfigureAwait(false);
                if (!cleaned || link.DownSince is not null)
                {
                    await RejoinAsync(cleaned).ConfigureAwait(false);
                    cleaned = true;
                }

                await SweepAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Redis down or slow: keep serving local rooms, try again next beat.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                link.Lost(e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    /// <summary>A node stopping on purpose leaves the directory and its rooms at once.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(2));
            Task leave = LeaveAsync();
            await leave.WaitAsync(bounded.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Redis is gone: the others will find the entry expired.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogLeaveFailed(logger, e);
        }
    }

    /// <summary>
    /// The node (re)enters the cluster: at its first beat it clears what an earlier process
    /// under its id left; every time, it writes its rooms again, since Redis may have lost them
    /// (a restart) or the others may have found this node dead meanwhile.
    /// </summary>
    private async Task RejoinAsync(bool before)
    {
        if (!before)
        {
            IReadOnlyList<(string Room, string ParticipantId)> stale = await roster.ForgetNodeAsync(node.Id).ConfigureAwait(false);
            await AnnounceGoneAsync([.. stale.Where(m => !roster.IsLocal(m.Room, m.ParticipantId))]).ConfigureAwait(false);
            LogJoined(logger, node.Id, node.Url);
        }

        await roster.RepublishAsync().ConfigureAwait(false);
        link.Back();
        await roomList.ChangedAsync().ConfigureAwait(false);
    }

    private async Task LeaveAsync()
    {
        await directory.LeaveAsync(node.Id).ConfigureAwait(false);
        await AnnounceGoneAsync(await roster.ForgetNodeAsync(node.Id).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Cleans up after every node whose entry expired; each once, by whichever survivor claims it.</summary>
    private async Task SweepAsync()
    {
        foreach (string dead in await directory.ExpiredAsync().ConfigureAwait(false))
        {
            if (dead == node.Id || !await directory.TryRemoveAsync(dead).ConfigureAwait(false))
            {
                continue;
            }

            IReadOnlyList<(string Room, string ParticipantId)> gone = await roster.ForgetNodeAsync(dead).ConfigureAwait(false);
            LogNodeDead(logger, dead, gone.Count);
            await AnnounceGoneAsync(gone).ConfigureAwait(false);
        }
    }

    private async Task AnnounceGoneAsync(IReadOnlyList<(string Room, string ParticipantId)> gone)
    {
        if (gone.Count == 0)
        {
            return;
        }

        foreach ((string room, string participantId) in gone)
        {
            await hub.Clients.Group(SfuHub.GroupName(room)).ParticipantLeft(participantId).ConfigureAwait(false);
        }

        await roomList.ChangedAsync().ConfigureAwait(false);
    }

    private NodeRecord Load() => new(
        node.Id,
        node.Url,
        node.MediaAddress,
        lifecycle.MemberCount,
        ((IMediaGauges)engine.Rooms).PublishedTracks,
        _cpu.Sample(),
        limits.Value.MaxParticipants,
        relays.Announced,
        relays.Fingerprint);

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using CancellationTokenRegistration onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "Joined the cluster as node {NodeId} at {Url}")]
    private static partial void LogJoined(ILogger logger, string nodeId, string url);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Warning, Message = "Node {NodeId} stopped beating: {Count} of its participants left their rooms")]
    private static partial void LogNodeDead(ILogger logger, string nodeId, int count);

    [LoggerMessage(EventId = 4505, Level = LogLevel.Warning, Message = "Leaving the cluster on shutdown failed; the others will find this node's entry expired")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception);

    /// <summary>The process's CPU use since the last sample, in percent of all cores.</summary>
    private sealed class CpuGauge
    {
        private TimeSpan _cpuAt = Process.GetCurrentProcess().TotalProcessorTime;
        private long _wallAt = Stopwatch.GetTimestamp();

        public double Sample()
        {
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long wall = Stopwatch.GetTimestamp();
            double elapsed = Stopwatch.GetElapsedTime(_wallAt, wall).TotalSeconds * Environment.ProcessorCount;
            double percent = elapsed > 0 ? (cpu - _cpuAt).TotalSeconds / elapsed * 100 : 0;
            (_cpuAt, _wallAt) = (cpu, wall);
            return Math.Round(percent, 1);
        }
    }
}
