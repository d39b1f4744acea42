namespace Sfu.Browser.Tests;

/// <summary>
/// Joining without a camera or microphone: nobody is turned away for lacking a device, and a
/// camera that is off is never opened.
/// </summary>
public sealed class MissingDeviceTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 180_000)]
    public async Task A_participant_with_no_camera_or_microphone_joins_sees_and_hears_the_others_and_is_shown_with_both_off()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "no-device-room", "Ada");
        await using BrowserParticipant nemo = await BrowserParticipant.JoinWithoutDevicesAsync(browser, server, "no-device-room", "Nemo");

        await nemo.WaitConnectedAsync(cancel);
        await Eventually.UntilAsync(nemo.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Nemo to decode Ada's camera", cancel);
        await Eventually.UntilAsync(nemo.ReceivedAudioEnergyAsync, e => e > 0, Deadline, "Nemo to hear Ada", cancel);
        await Eventually.UntilAsync(() => ada.Tile("Nemo").GetAttributeAsync("data-camera"), c => c == "off", Deadline, "Nemo's tile at Ada to show the camera off", cancel);
        Assert.Equal("off", await ada.Tile("Nemo").GetAttributeAsync("data-mic"));
        string notice = await nemo.Page.GetByTestId("error-banner").TextContentAsync() ?? "";
        Assert.Contains("camera", notice, StringComparison.Ordinal);
        Assert.Contains("microphone", notice, StringComparison.Ordinal);

        // Asking for the camera anyway says why not, and nothing claims it is on.
        await nemo.Page.GetByTestId("toggle-camera").ClickAsync();
        await Eventually.UntilAsync(
            () => nemo.Page.GetByTestId("error-banner").TextContentAsync(),
            t => t?.Contains("No camera available", StringComparison.Ordinal) == true,
            Deadline,
            "Nemo to be told there is no camera",
            cancel);
        Assert.Equal("false", await nemo.Page.GetByTestId("toggle-camera").GetAttributeAsync("aria-pressed"));
        Assert.Equal("off", await ada.Tile("Nemo").GetAttributeAsync("data-camera"));
        Assert.Equal(0, await ada.CountDecodingRemoteVideoAsync());
    }

    [Fact(Timeout = 180_000)]
    public async Task Joining_with_the_camera_off_never_opens_it_and_turning_it_on_later_reaches_the_others()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "late-camera-room", "Ada", "&camera=off");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "late-camera-room", "Bob", "&camera=off");
        await ada.WaitConnectedAsync(cancel);
        await Eventually.UntilAsync(bob.CountReceivingRemoteAudioAsync, c => c == 1, Deadline, "Bob to receive Ada's audio", cancel);

        Assert.Equal(0, await ada.CaptureRequestsAsync("video"));
        Assert.Equal(0, await LiveLocalVideoTracksAsync(ada));
        Assert.Equal(0, await bob.CountDecodingRemoteVideoAsync());
        int negotiations = await ada.Page.EvaluateAsync<int>("() => window.sfu.negotiations");

        await ada.Page.GetByTestId("toggle-camera").ClickAsync();

        await Eventually.UntilAsync(() => LiveLocalVideoTracksAsync(ada), n => n == 1, Deadline, "Ada's camera to open", cancel);
        Assert.Equal(1, await ada.CaptureRequestsAsync("video"));
        await Eventually.UntilAsync(() => bob.Tile("Ada").GetAttributeAsync("data-camera"), c => c == "on", Deadline, "Ada's camera on at Bob", cancel);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera", cancel);
        Assert.Equal(negotiations, await ada.Page.EvaluateAsync<int>("() => window.sfu.negotiations"));
    }

    /// <summary>Video tracks the page holds open (a camera whose light would be on).</summary>
    private static Task<int> LiveLocalVideoTracksAsync(BrowserParticipant p)
        => p.Page.EvaluateAsync<int>("() => (window.sfu?.localStream?.getVideoTracks() ?? []).filter(t => t.readyState === 'live').length");
}
