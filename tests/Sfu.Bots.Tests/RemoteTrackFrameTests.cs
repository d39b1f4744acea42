using Sfu.Core;
using Sfu.Core.Rtp;

namespace Sfu.Bots.Tests;

/// <summary>What a bot's video track reads from the frames it receives: the layer's size, and frames no decoder could use.</summary>
public sealed class RemoteTrackFrameTests
{
    private const int Small = 130;
    private const int Large = 4000;

    [Fact]
    public void The_size_comes_from_the_last_key_frame()
    {
        var track = NewTrack();
        Receive(track, 1, keyframe: true, Small, 320, 180);
        Receive(track, 2, keyframe: false, Small, 320, 180);
        Assert.Equal((320, 180), Size(track));

        Receive(track, 3, keyframe: true, Large, 1280, 720);
        Assert.Equal((1280, 720), Size(track));
        Assert.Equal(0, track.GetStats().FramesWithoutReference);
    }

    [Fact]
    public void A_delta_frame_of_another_stream_than_the_last_key_frame_is_counted()
    {
        var track = NewTrack();
        Receive(track, 1, keyframe: true, Small, 320, 180);
        Receive(track, 2, keyframe: false, Small, 320, 180);

        // A switch to the large layer between its key frames.
        Receive(track, 3, keyframe: false, Large, 1280, 720);
        Receive(track, 4, keyframe: false, Large, 1280, 720);

        Assert.Equal(2, track.GetStats().FramesWithoutReference);
        Assert.Equal((320, 180), Size(track));
    }

    [Fact]
    public void Delta_frames_before_any_key_frame_are_counted()
    {
        var track = NewTrack();
        Receive(track, 1, keyframe: false, Small, 320, 180);
        Receive(track, 2, keyframe: true, Small, 320, 180);
        Receive(track, 3, keyframe: false, Small, 320, 180);

        Assert.Equal(1, track.GetStats().FramesWithoutReference);
    }

    private static RemoteTrack NewTrack() => new(MediaKind.Video, 1234, "1", "s", "t", 90000, 0, decodeAudio: false);

    private static (int, int) Size(RemoteTrack track) => (track.GetStats().FrameWidth, track.GetStats().FrameHeight);

    /// <summary>One single-packet frame of the synthetic stream.</summary>
    private static void Receive(RemoteTrack track, ushort sequence, bool keyframe, int frameLength, int width, int height)
    {
        byte[] packet = new byte[RtpPacketWriter.FixedHeaderLength + 64];
        int header = RtpPacketWriter.WriteHeader(packet, 96, true, sequence, sequence * 3000u, 1234, 0, 0);
        Vp8SyntheticPayload.Write(packet.AsSpan(header), 64, true, keyframe, frameLength, 0, sequence, width, height);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out RtpPacket view));
        track.OnRtp(view, 0, 0);
    }
}
