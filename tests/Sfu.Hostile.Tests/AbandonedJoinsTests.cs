using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// Thousands of anonymous joins whose connections drop without Leave, each having asked for
/// its resume token (so each is held for the grace). Once the grace is over nothing of them is
/// left anywhere: not in the engine's rooms, not among the lifecycle's members and sessions,
/// not in memory after a full collection; and every one of them was announced as gone.
/// </summary>
public sealed class AbandonedJoinsTests
{
    private const int Joins = 2000;
    private const int Rooms = 50;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task Two_thousand_dropped_joins_leave_nothing_behind_after_the_grace_and_each_is_announced_once()
    {
        var recorder = new LifecycleRecorder();
        var members = new MemberReferences();
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            s => s.AddSingletonObserver(recorder).AddSingletonObserver(members),
            "--Sfu:Meeting:ReconnectGraceSeconds=1",
            $"--Sfu:Limits:MaxParticipants={Joins}",
            "--Sfu:Limits:NoticeBurst=1");

        for (int batch = 0; batch < Joins; batch += 100)
        {
            await Task.WhenAll(Enumerable.Range(batch, 100).Select(JoinAndDropAsync));
        }

        await Poll.UntilAsync(() => recorder.Count("left ") == Joins, $"{Joins} departures", seconds: 120);
        RoomLifecycle lifecycle = server.Services.GetRequiredService<RoomLifecycle>();

        // A room may empty and open again between batches: each opening is closed once.
        await Poll.UntilAsync(() => lifecycle.RoomCount == 0 && recorder.Count("closed ") == recorder.Count("opened "), "every room opened to be closed", seconds: 30);
        MeetingSessions sessions = server.Services.GetRequiredService<MeetingSessions>();

        Assert.Equal(Joins, recorder.Count("joined "));
        Assert.InRange(recorder.Count("opened "), Rooms, Joins);
        Assert.Equal(Joins, recorder.Count("left "));
        Assert.Equal(Joins, recorder.Events.Count(e => e.StartsWith("left ", StringComparison.Ordinal) && e.Contains(" GraceExpired ", StringComparison.Ordinal)));
        Assert.Equal(Joins, recorder.Events.Where(e => e.StartsWith("left ", StringComparison.Ordinal)).Select(e => e.Split(' ')[1]).Distinct().Count());
        Assert.Empty(server.Engine.Rooms.Rooms);
        Assert.Equal(0, lifecycle.MemberCount);
        Assert.Equal(0, lifecycle.RoomCount);
        Assert.Equal(0, lifecycle.Seats);
        Assert.Equal((0, 0, 0), (sessions.Count, sessions.TokenCount, sessions.ConnectionCount));

        // Nothing keeps a departed member alive: no timer, no dictionary, no closure.
        await Poll.UntilAsync(
            () =>
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                return members.Alive == 0;
            },
            "every departed member to be collected",
            seconds: 30);

        async Task JoinAndDropAsync(int i)
        {
            HubConnection connection = new HubConnectionBuilder()
                .WithUrl(server.BaseUrl + "/hubs/sfu", o =>
                {
                    o.SkipNegotiation = true;
                    o.Transports = HttpTransportType.WebSockets;
                })
                .Build();
            await connection.StartAsync(Cancel);
            await connection.InvokeAsync<JsonElement>("Join", $"room-{i % Rooms}", $"Anonymous {i}", Cancel);
            await connection.InvokeAsync<JsonElement>("MeetingState", Cancel);
            await connection.DisposeAsync(); // gone without Leave
        }
    }

    /// <summary>Weak references to every member that joined: which of them memory still holds.</summary>
    private sealed class MemberReferences : IRoomObserver
    {
        private readonly ConcurrentBag<WeakReference<RoomMember>> _members = [];

        public int Alive => _members.Count(m => m.TryGetTarget(out _));

        public Task ParticipantJoinedAsync(RoomMember member)
        {
            _members.Add(new WeakReference<RoomMember>(member));
            return Task.CompletedTask;
        }
    }
}
