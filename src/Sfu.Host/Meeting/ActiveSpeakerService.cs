using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// Every few hundred milliseconds, takes each participant's audio level (RFC 6464, read by
/// the producers' meters on the forwarding path) and tells a room when its dominant speaker
/// changes. No audio is decoded. A room has a detector from its opening to its closing.
/// </summary>
public sealed partial class ActiveSpeakerService(
    SfuEngine engine,
    IHubContext<SfuHub, ISfuClient> hub,
    IOptions<MeetingOptions> options,
    TimeProvider time,
    ILogger<ActiveSpeakerService> logger) : BackgroundService, IRoomObserver
{
    private readonly Dictionary<string, ActiveSpeakerDetector> _detectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _published = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The dominant speaker last announced in a room, or null.</summary>
    public string? DominantIn(string room)
    {
        lock (_gate)
        {
            return _published.GetValueOrDefault(room);
        }
    }

    public Task RoomOpenedAsync(string room)
    {
        lock (_gate)
        {
            _detectors[room] = new ActiveSpeakerDetector();
            _published.Remove(room);
        }

        return Task.CompletedTask;
    }

    public Task RoomClosedAsync(string room)
    {
        lock (_gate)
        {
            _detectors.Remove(room);
            _published.Remove(room);
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ActiveSpeakerInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach ((string room, string? speaker) in Tick())
                {
                    try
                    {
                        await hub.Clients.Group(SfuHub.GroupName(room)).DominantSpeakerChanged(speaker).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // One room's failed broadcast must not stop the detector for the others.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        LogBroadcastFailed(logger, room, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    /// <summary>One evaluation over every open room; returns the rooms whose speaker changed.</summary>
    private List<(string Room, string? Speaker)> Tick()
    {
        var changes = new List<(string, string?)>();
        var samples = new List<SpeakerSample>();
        lock (_gate)
        {
            foreach ((string name, ActiveSpeakerDetector detector) in _detectors)
            {
                samples.Clear();
                foreach (Participant participant in engine.Rooms.Find(name)?.Participants ?? [])
                {
                    samples.Add(new SpeakerSample(participant.Id, LoudnessOf(participant)));
                }

                if (detector.Update(samples))
                {
                    _published[name] = detector.Dominant;
                    changes.Add((name, detector.Dominant));

                    // The media plane serves the speaker's camera first when bandwidth is short.
                    if (engine.Rooms.Find(name) is { } room)
                    {
                        room.DominantSpeaker = detector.Dominant;
                    }
                }
            }
        }

        return changes;
    }

    private static int LoudnessOf(Participant participant)
    {
        int loudest = 0;
        foreach (Producer producer in participant.Producers)
        {
            if (producer.AudioLevel is { } meter)
            {
                loudest = Math.Max(loudest, meter.Take().Loudness);
            }
        }

        return loudest;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Announcing the dominant speaker of room {Room} failed")]
    private static partial void LogBroadcastFailed(ILogger logger, string room, Exception exception);
}
