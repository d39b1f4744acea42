using Microsoft.Extensions.DependencyInjection;
using Sfu.Core.Routing;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// canPublish and canSubscribe of a join token, with werift peers (a WebRTC stack of its own)
/// sending real RTP: a viewer's offer to send is answered so that nothing is published and it
/// is told why, while it receives everyone; a participant that may not subscribe receives
/// nothing, while the others receive it.
/// </summary>
public sealed class PublishPermissionTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_viewer_publishes_nothing_and_is_told_a_deaf_participant_receives_nothing_and_both_still_do_the_rest()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(Invitations.TokenMode);
        await using WeriftPeer speaker = WeriftPeer.Start(server.BaseUrl, "stage", "Speaker", expectRemotes: 2, durationMs: 30_000, lingerMs: 4000,
            token: Invitations.Mint(server, "speaker", "stage", "Speaker"));
        await using WeriftPeer viewer = WeriftPeer.Start(server.BaseUrl, "stage", "Viewer", expectRemotes: 4, durationMs: 30_000, lingerMs: 4000,
            token: Invitations.Mint(server, "viewer", "stage", "Viewer", canPublish: false));
        await using WeriftPeer deaf = WeriftPeer.Start(server.BaseUrl, "stage", "Deaf", expectRemotes: 0, durationMs: 12_000, lingerMs: 4000,
            token: Invitations.Mint(server, "deaf", "stage", "Deaf", canSubscribe: false));

        WeriftReport[] reports = await Task.WhenAll(
            speaker.WaitForReportAsync(TimeSpan.FromSeconds(60)),
            viewer.WaitForReportAsync(TimeSpan.FromSeconds(60)),
            deaf.WaitForReportAsync(TimeSpan.FromSeconds(60)));
        (WeriftReport s, WeriftReport v, WeriftReport d) = (reports[0], reports[1], reports[2]);

        // The speaker hears the deaf participant's two tracks and nothing of the viewer.
        Assert.Equal(2, s.Tracks.Count(t => t.Packets > 0));
        Assert.All(s.Tracks.Where(t => t.Packets > 0), t => Assert.Equal(d.ParticipantId, t.StreamId));
        // The viewer receives both others, audio and video each.
        Assert.Equal(4, v.Tracks.Count(t => t.Packets > 0));
        Assert.Equal(
            new[] { d.ParticipantId, s.ParticipantId }.Order(StringComparer.Ordinal),
            v.Tracks.Where(t => t.Packets > 0).Select(t => t.StreamId).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(viewer.Events, e => e.GetProperty("event").GetString() == "warning"
            && e.GetProperty("message").GetString()!.Contains("You may not publish", StringComparison.Ordinal));
        // The deaf participant received nothing at all.
        Assert.DoesNotContain(d.Tracks, t => t.Packets > 0);
        Assert.Equal("connected", d.ConnectionState);
        Assert.DoesNotContain(deaf.Events, e => e.GetProperty("event").GetString() == "warning");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_media_plane_holds_the_viewer_without_producers_and_the_deaf_participant_without_down_tracks()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(Invitations.TokenMode);
        await using WeriftPeer viewer = WeriftPeer.Start(server.BaseUrl, "stage", "Viewer", expectRemotes: 0, durationMs: 20_000,
            token: Invitations.Mint(server, "viewer", "stage", "Viewer", canPublish: false));
        await using WeriftPeer deaf = WeriftPeer.Start(server.BaseUrl, "stage", "Deaf", expectRemotes: 0, durationMs: 20_000,
            token: Invitations.Mint(server, "deaf", "stage", "Deaf", canSubscribe: false));

        await Poll.UntilAsync(
            () => server.Engine.Rooms.Find("stage") is { } room && room.Participants.Length == 2 && room.Participants.Any(p => p.Producers.Length == 2)
                && room.Participants.Any(p => p.DownTracks.Length == 2),
            "both in the room, the deaf participant publishing and the viewer subscribed",
            seconds: 30);
        Participant[] inRoom = [.. server.Engine.Rooms.Find("stage")!.Participants];
        Participant viewerInRoom = inRoom.Single(p => p.DisplayName == "Viewer");
        Participant deafInRoom = inRoom.Single(p => p.DisplayName == "Deaf");

        Assert.Empty(viewerInRoom.Producers);
        Assert.Equal(2, viewerInRoom.DownTracks.Length);
        Assert.Empty(deafInRoom.DownTracks);
        Assert.False(viewerInRoom.Permissions.CanPublish);
        Assert.False(deafInRoom.Permissions.CanSubscribe);
    }
}
