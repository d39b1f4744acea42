using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// The downlink loop through the real engine in memory: every packet toward a subscriber
/// carries our transport-wide sequence number; the subscriber's feedback on them drives its
/// estimate; the allocator fits its subscriptions to it.
/// </summary>
public sealed class CongestionTests : IAsyncLifetime
{
    private static readonly string[] Rids = ["q", "h", "f"];
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<long> _sentAt = [];
    private EngineRoom _room = null!;
    private ushort _sequence = 1;

    public async ValueTask InitializeAsync()
    {
        _room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, _time, Rids);
        _time.Advance(DownTrack.KeyframeRequestInterval);
    }

    public ValueTask DisposeAsync() => _room.DisposeAsync();

    private EnginePeer Subscriber => _room.Subscribers[0];

    /// <summary>One frame on the top layer (the only one the subscriber gets); records when it left.</summary>
    private ushort SendTopFrame(bool keyframe)
    {
        byte[] packet = StreamPackets.Vp8Layer(0x6002, _sequence, 3000u * _sequence, keyframe, "f", 1280, 720);
        _sequence++;
        _room.Deliver(_room.Publisher, _room.Publisher.ProtectRtp(packet));
        _sentAt.Add((long)_time.GetElapsedTime(0, _time.GetTimestamp()).TotalMicroseconds);
        RtpPacket received = Subscriber.LastVideo(out _);
        Assert.True(received.TryGetExtension(EnginePeer.TransportCcExtensionId, out ReadOnlySpan<byte> value), "no transport-wide sequence number");
        _time.Advance(TimeSpan.FromMilliseconds(33));
        return BinaryPrimitives.ReadUInt16BigEndian(value);
    }

    private void SendFeedback(ushort first, long[] arrivals)
    {
        byte[] feedback = new byte[TransportWideFeedbackWriter.MaxSize(arrivals.Length)];
        int length = TransportWideFeedbackWriter.TryWrite(feedback, 0x4444, 0x6002, first, arrivals, 0);
        _room.Deliver(Subscriber, Subscriber.ProtectRtcp(feedback.AsSpan(0, length)));
    }

    [Fact]
    public void Packets_toward_a_subscriber_carry_consecutive_transport_wide_numbers()
    {
        ushort[] numbers = [.. Enumerable.Range(0, 5).Select(i => SendTopFrame(keyframe: i == 0))];

        Assert.Equal(Enumerable.Range(numbers[0], 5).Select(n => (ushort)n), numbers);
    }

    [Fact]
    public void Feedback_showing_a_growing_queue_cuts_the_estimate_and_the_allocator_pauses_the_video()
    {
        ushort first = SendTopFrame(keyframe: true);
        for (int i = 1; i < 60; i++)
        {
            SendTopFrame(keyframe: false);
        }

        // Each packet arrived 15 ms later than the one before relative to when it left: a queue
        // that grows by half a frame interval per frame — the path carries far less than we send.
        long[] arrivals = [.. _sentAt.Select((sent, i) => 5_000_000 + sent + (i * 15_000))];
        for (int start = 0; start < arrivals.Length; start += 10)
        {
            SendFeedback((ushort)(first + start), arrivals[start..Math.Min(start + 10, arrivals.Length)]);
        }

        Participant subscriber = Subscriber.Participant!;
        Assert.True(subscriber.DownlinkEstimate > 0, "no estimate after feedback");
        Assert.True(subscriber.DownlinkEstimate < 150_000, $"estimate {subscriber.DownlinkEstimate} was not cut");
        subscriber.OnLayerTick();
        Assert.True(Subscriber.VideoDownTrack().IsPausedForBandwidth);
        Assert.False(subscriber.DownTracks.Single(d => d.Source.Kind == MediaKind.Audio).IsPausedForBandwidth, "audio must never be paused");
        Assert.True(_room.Engine.Counters.BandwidthPauses >= 1);
    }

    [Fact]
    public void A_probe_pads_only_after_the_last_packet_of_a_frame()
    {
        SendTopFrame(keyframe: true);
        Subscriber.KeepMedia = true;

        // The allocator wants 2 Mbit/s against an estimate of 500k: a probe runs, owing padding.
        Subscriber.Participant!.Media.Feedback.Downlink.Probe.Want(2_000_000, 500_000, 100_000);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(Subscriber.Participant.Media.Feedback.Downlink.Probe.IsProbing);

        // Two frames of three packets each; only the last packet of a frame carries the marker.
        for (int frame = 0; frame < 2; frame++)
        {
            for (int part = 0; part < 3; part++)
            {
                byte[] packet = StreamPackets.Vp8Layer(0x6002, _sequence++, 3000u * (uint)(10 + frame), keyframe: false, "f", 1280, 720);
                if (part == 2)
                {
                    packet[1] |= 0x80;
                }

                _room.Deliver(_room.Publisher, _room.Publisher.ProtectRtp(packet));
                _time.Advance(TimeSpan.FromMilliseconds(5));
            }
        }

        // What the subscriber got, in order: media and padding-only packets (P set, no payload).
        List<(ushort Sequence, string What)> video = [];
        foreach (byte[] plain in Subscriber.TakeMedia())
        {
            RtpPacket view = StreamPackets.View(plain);
            if (view.Ssrc == Subscriber.LastVideoSsrc)
            {
                video.Add((view.SequenceNumber, view.Payload.IsEmpty ? "pad" : view.Marker ? "end" : "media"));
            }
        }

        string order = string.Join(" ", video.Select(p => p.What));
        Assert.Equal(6, video.Count(p => p.What != "pad"));
        Assert.StartsWith("media media end pad", order, StringComparison.Ordinal);
        for (int i = 1; i < video.Count; i++)
        {
            // Every packet takes the next number, padding included: nothing looks lost, and no
            // padding sits inside a frame.
            Assert.Equal((ushort)(video[i - 1].Sequence + 1), video[i].Sequence);
            Assert.False(video[i].What == "pad" && video[i - 1].What == "media", $"padding inside a frame: {order}");
        }
    }

    [Fact]
    public void A_subscriber_that_sends_no_feedback_is_not_limited()
    {
        SendTopFrame(keyframe: true);
        Subscriber.Participant!.OnLayerTick();

        Assert.Equal(0, Subscriber.Participant.DownlinkEstimate);
        Assert.Equal(2, Subscriber.VideoDownTrack().AllocatedLayer);   // everything it asks for
        Assert.False(Subscriber.VideoDownTrack().IsPausedForBandwidth);
    }
}
