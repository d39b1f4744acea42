using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// Producer → down-track → subscriber on the real engine, in memory (no socket): what each
/// subscriber receives, how pausing, NACKs and keyframe requests behave.
/// </summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private EngineRoom _room = null!;

    public async ValueTask InitializeAsync()
    {
        _room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 2, _time);

        // Joining asked the publisher for a keyframe; let its throttle pass.
        _time.Advance(DownTrack.KeyframeRequestInterval);
    }

    public ValueTask DisposeAsync() => _room.DisposeAsync();

    [Fact]
    public void Each_subscriber_gets_the_payload_on_its_own_ssrc_and_numbering()
    {
        byte[] sent = _room.SendVideo(100, keyframe: true);
        _room.SendVideo(101, keyframe: false);

        ushort? first = null;
        foreach (EnginePeer subscriber in _room.Subscribers)
        {
            RtpPacket received = subscriber.LastVideo(out _);
            Assert.Equal(subscriber.VideoDownTrack().Ssrc, received.Ssrc);
            Assert.NotEqual(_room.Publisher.VideoSsrc, received.Ssrc);
            Assert.Equal(StreamPackets.View(StreamPackets.Vp8(0, 101, false)).Payload.ToArray(), received.Payload.ToArray());
            Assert.NotEqual(first, received.SequenceNumber);
            first = received.SequenceNumber;
        }

        Assert.Equal(2, _room.Publisher.VideoProducer().PacketsReceived);
        Assert.NotEmpty(sent);
    }

    [Fact]
    public void Video_starts_only_on_a_keyframe_and_asks_the_publisher_for_one()
    {
        _room.Publisher.KeepRtcp = true;

        _room.SendVideo(50, keyframe: false);

        Assert.All(_room.Subscribers, s => Assert.Equal(0, s.VideoDownTrack().PacketsSent));
        Assert.Contains(_room.Publisher.TakeRtcp(), c => PictureLossIndication.TryParse(c, out PictureLossIndication pli) && pli.MediaSsrc == _room.Publisher.VideoSsrc);
    }

    [Fact]
    public void A_paused_subscription_sends_nothing_and_resumes_on_a_keyframe_numbered_after_the_last_packet()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        _room.SendVideo(1, keyframe: true);
        ushort last = subscriber.LastVideo(out _).SequenceNumber;

        Assert.True(subscriber.Participant!.SetReceiving(subscriber.VideoDownTrack().Mid!, receive: false));
        _room.SendVideo(2, keyframe: false);
        _room.SendVideo(3, keyframe: true);
        Assert.Equal(1, subscriber.VideoDownTrack().PacketsSent);

        Assert.True(subscriber.Participant.SetReceiving(subscriber.VideoDownTrack().Mid!, receive: true));
        _room.SendVideo(4, keyframe: false);
        Assert.Equal(1, subscriber.VideoDownTrack().PacketsSent);
        _room.SendVideo(5, keyframe: true);

        Assert.Equal((ushort)(last + 1), subscriber.LastVideo(out _).SequenceNumber);
        Assert.Equal(2, _room.Subscribers[1].VideoDownTrack().PacketsSent - 3);
    }

    [Fact]
    public void A_subscribers_nack_is_answered_with_the_same_packet_from_the_server()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        byte[] lost = _room.SendVideo(10, keyframe: true);   // "lost": the subscriber never opens it
        _room.SendVideo(11, keyframe: false);
        RtpPacket next = subscriber.LastVideo(out _);
        ushort lostNumber = (ushort)(next.SequenceNumber - 1);

        byte[] nack = new byte[16];
        int length = GenericNack.TryWrite(nack, 0x4444, subscriber.VideoDownTrack().Ssrc, [lostNumber]);
        _room.Deliver(subscriber, subscriber.ProtectRtcp(nack.AsSpan(0, length)));

        RtpPacket resent = subscriber.LastVideo(out _);
        Assert.Equal(lostNumber, resent.SequenceNumber);
        Assert.Equal(unchecked(next.Timestamp - 3000), resent.Timestamp);
        Assert.Equal(StreamPackets.View(lost).Payload.ToArray(), resent.Payload.ToArray());
        Assert.Equal(1, _room.Engine.Counters.PacketsRetransmitted);
    }

    [Fact]
    public void Keyframe_requests_from_many_subscribers_reach_the_publisher_once_per_interval()
    {
        _room.Publisher.KeepRtcp = true;
        foreach (EnginePeer subscriber in _room.Subscribers)
        {
            byte[] pli = new byte[PictureLossIndication.Size];
            PictureLossIndication.TryWrite(pli, 0x4444, subscriber.VideoDownTrack().Ssrc);
            _room.Deliver(subscriber, subscriber.ProtectRtcp(pli));
        }

        int plis = _room.Publisher.TakeRtcp().Count(c => PictureLossIndication.TryParse(c, out _));
        Assert.Equal(1, plis);
    }

    [Fact]
    public void Our_sender_report_maps_the_publishers_clock_into_the_subscribers_timestamps()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        subscriber.KeepRtcp = true;
        _room.SendVideo(1, keyframe: true);
        RtpPacket forwarded = subscriber.LastVideo(out _);
        uint offset = unchecked(forwarded.Timestamp - (3000u * 1));

        byte[] sr = new byte[SenderReport.GetSize(0)];
        SenderReport.TryWrite(sr, _room.Publisher.VideoSsrc, 0x0000_0001_0000_0000, 3000, 1, 5, []);
        _room.Deliver(_room.Publisher, _room.Publisher.ProtectRtcp(sr));
        subscriber.Participant!.OnReportTick();

        byte[] ours = Assert.Single(subscriber.TakeRtcp(), c => c[1] == (byte)RtcpPacketType.SenderReport);
        Assert.True(SenderReport.TryParse(ours, out SenderReport report));
        Assert.Equal(subscriber.VideoDownTrack().Ssrc, report.Ssrc);
        Assert.Equal(1u, report.PacketCount);

        // A moment may pass between the publisher's SR and ours: at most a few ms of 90 kHz.
        long ahead = unchecked((int)(report.RtpTimestamp - (3000u + offset)));
        Assert.InRange(ahead, 0, 90 * 200);
    }
}
