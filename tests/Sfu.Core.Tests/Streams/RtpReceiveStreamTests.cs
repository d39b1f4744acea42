using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Streams;

/// <summary>One received stream: statistics, keyframes, loss tracking, RTX restore (RFC 4588) and SR timing.</summary>
public sealed class RtpReceiveStreamTests
{
    private const uint Ssrc = 0x1111;
    private const uint RtxSsrc = 0x2222;
    private readonly FakeTimeProvider _time = new();

    private RtpReceiveStream Video() => new(new RtpStreamParameters(Ssrc, MediaKind.Video, 96, 90000, VideoCodecKind.Vp8, RtxSsrc, 97), _time);

    private RtpReceiveStream Audio() => new(new RtpStreamParameters(Ssrc, MediaKind.Audio, 111, 48000), _time);

    private bool Receive(RtpReceiveStream stream, byte[] packet) => stream.OnPacket(packet, StreamPackets.View(packet), _time.GetTimestamp());

    [Theory]
    // keyframe flag of the VP8 frame tag, expected
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void A_vp8_packet_is_a_keyframe_when_its_frame_tag_says_so(bool keyframe, bool expected)
        => Assert.Equal(expected, Receive(Video(), StreamPackets.Vp8(Ssrc, 1, keyframe)));

    [Fact]
    public void Audio_is_never_a_keyframe_and_keeps_no_packets_for_repair()
    {
        RtpReceiveStream audio = Audio();

        Assert.False(Receive(audio, StreamPackets.Rtp(Ssrc, 1, 960, 111, 0x00, 0x01)));
        Assert.Null(audio.Retransmissions);
        Assert.Null(audio.Nacks);
        Assert.Equal(1, audio.PacketsReceived);
    }

    [Fact]
    public void Video_keeps_its_packets_from_the_first_one_on_and_counts_them()
    {
        RtpReceiveStream video = Video();
        Assert.Null(video.Retransmissions);

        byte[] packet = StreamPackets.Vp8(Ssrc, 7, keyframe: false);
        Receive(video, packet);

        Assert.True(video.Retransmissions!.TryGet(7, out ReadOnlySpan<byte> kept));
        Assert.Equal(packet, kept.ToArray());
        Assert.Equal(packet.Length, video.BytesReceived);
    }

    [Fact]
    public void A_gap_is_missing_until_its_retransmission_is_restored_and_then_it_is_kept()
    {
        RtpReceiveStream video = Video();
        byte[] lost = StreamPackets.Vp8(Ssrc, 11, keyframe: false);
        Receive(video, StreamPackets.Vp8(Ssrc, 10, keyframe: true));
        Receive(video, StreamPackets.Vp8(Ssrc, 12, keyframe: false));
        Assert.Equal(1, video.Nacks!.MissingCount);

        byte[] rtx = StreamPackets.Rtx(lost, RtxSsrc, 500, 97);
        RepairOutcome outcome = video.TryRepair(StreamPackets.View(rtx), out Span<byte> restored);

        Assert.Equal(RepairOutcome.Restored, outcome);
        Assert.Equal(lost, restored.ToArray());
        Assert.Equal(0, video.Nacks.MissingCount);
        Assert.True(video.Retransmissions!.TryGet(11, out _));
    }

    [Fact]
    public void A_retransmission_of_a_packet_we_have_is_restored_as_known_and_a_padding_probe_goes_nowhere()
    {
        RtpReceiveStream video = Video();
        byte[] have = StreamPackets.Vp8(Ssrc, 10, keyframe: true);
        Receive(video, have);

        Assert.Equal(RepairOutcome.Known, video.TryRepair(StreamPackets.View(StreamPackets.Rtx(have, RtxSsrc, 1, 97)), out Span<byte> known));
        Assert.Equal(have, known.ToArray());
        Assert.Equal(RepairOutcome.NotWanted, video.TryRepair(StreamPackets.View(StreamPackets.Rtp(RtxSsrc, 2, 0, 97)), out _));
        Assert.Equal(RepairOutcome.Malformed, video.TryRepair(StreamPackets.View(StreamPackets.Rtp(RtxSsrc, 3, 0, 97, 0x01)), out _));
    }

    [Fact]
    public void The_rtp_clock_at_any_moment_follows_the_last_sender_report()
    {
        RtpReceiveStream video = Video();
        Assert.False(video.TryGetRtpTimestampAt(_time.GetTimestamp(), out _));

        video.OnSenderReport(0xE000_0000_8000_0000, rtpTimestamp: 1_000_000, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.True(video.TryGetRtpTimestampAt(_time.GetTimestamp(), out uint now));
        Assert.Equal(1_000_000u + 22_500u, now); // 0.25 s at 90 kHz
        Assert.Equal(0x0000_8000u, video.LastSenderReport!.Value.CompactNtp); // low 16 bits of the seconds, high 16 of the fraction
    }

    [Fact]
    public void Receiving_allocates_nothing_once_the_buffer_exists()
    {
        RtpReceiveStream video = Video();
        byte[] packet = StreamPackets.Vp8(Ssrc, 0, keyframe: false);
        ushort sequence = 0;

        long allocated = Allocations.Measure(() =>
        {
            RtpHeader.SetSequenceNumber(packet, sequence++);
            RtpPacket.TryParse(packet, out RtpPacket view);
            video.OnPacket(packet, view, 0);
        });

        Assert.Equal(0, allocated);
    }
}
