namespace Sfu.Browser.Tests;

/// <summary>Real media through the SFU between Chromium pages, each its own participant.</summary>
public sealed class RoomMediaTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LeaveDeadline = TimeSpan.FromSeconds(5);

    [Fact(Timeout = 240_000)]
    public async Task Participants_see_and_hear_each_other_late_joiners_included_and_a_closed_tab_disappears()
    {
        const string room = "media-room";
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var participants = new List<BrowserParticipant>();
        try
        {
            foreach (string name in new[] { "Alice", "Bob", "Carol" })
            {
                participants.Add(await BrowserParticipant.JoinAsync(browser, server, room, name));
            }
            await ExpectRemoteMediaAsync(participants, cancel);

            // A late joiner: everyone, old and new, ends up with the three others.
            participants.Add(await BrowserParticipant.JoinAsync(browser, server, room, "Dave"));
            await ExpectRemoteMediaAsync(participants, cancel);

            // Bob closes his tab; the others lose his tile within 5 s.
            BrowserParticipant bob = participants[1];
            participants.Remove(bob);
            await bob.CloseTabAsync();
            await bob.DisposeAsync();
            foreach (BrowserParticipant p in participants)
            {
                await Eventually.UntilAsync(
                    p.RemoteTileNamesAsync,
                    names => !names.Contains("Bob"),
                    LeaveDeadline,
                    $"{p.Name} to drop Bob's tile",
                    cancel);
            }
        }
        finally
        {
            foreach (BrowserParticipant p in participants)
            {
                await p.DisposeAsync();
            }
        }
    }

    /// <summary>Each page shows the others' tiles and decodes/receives every other participant's video and audio.</summary>
    private static async Task ExpectRemoteMediaAsync(List<BrowserParticipant> participants, CancellationToken cancel)
    {
        int others = participants.Count - 1;
        foreach (BrowserParticipant p in participants)
        {
            string[] expectedNames = [.. participants.Where(o => o != p).Select(o => o.Name).Order(StringComparer.Ordinal)];
            await Eventually.UntilAsync(
                p.RemoteTileNamesAsync,
                names => names.SequenceEqual(expectedNames),
                MediaDeadline,
                $"{p.Name} to show tiles for {string.Join(", ", expectedNames)}",
                cancel);
            await Eventually.UntilAsync(
                p.CountDecodingRemoteVideoAsync,
                count => count == others,
                MediaDeadline,
                $"{p.Name} to decode {others} remote video tracks",
                cancel);
            await Eventually.UntilAsync(
                p.CountReceivingRemoteAudioAsync,
                count => count == others,
                MediaDeadline,
                $"{p.Name} to receive {others} remote audio tracks",
                cancel);
        }
    }
}
