using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;
using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// The room's codec choice (<see cref="RoomCodecChoice"/>) on the real engine, with the real
/// offers of libwebrtc (VP8, AV1, VP9 profiles 0 and 2) and libdatachannel (VP8 only) from the
/// SDP corpus: a publisher that prefers VP9 publishes VP9 when every member offered it and VP8
/// when one did not, and a subscriber is never sent a codec its own offers did not list, even
/// when its answer accepts it.
/// </summary>
public sealed class RoomCodecChoiceTests : IAsyncLifetime
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Negotiation", "Fixtures", "Sdp");

    private readonly SfuEngine _engine = new(new SfuOptions { Port = 0 }, NullLoggerFactory.Instance);

    public ValueTask InitializeAsync()
    {
        _engine.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    private static string Libwebrtc => File.ReadAllText(Path.Combine(Folder, "libwebrtc-wrtc-0.10-1-offer.sdp"));

    private static string Libdatachannel => File.ReadAllText(Path.Combine(Folder, "libdatachannel-0.24-1-offer.sdp"));

    /// <summary>libwebrtc's offer after setCodecPreferences put <paramref name="payloadType"/> (and its RTX) first.</summary>
    private static string LibwebrtcPreferring(string payloadType, string rtx)
    {
        const string Formats = "m=video 9 UDP/TLS/RTP/SAVPF 96 97 39 40 98 99 100 101 125 124 127";
        Assert.Contains(Formats, Libwebrtc, StringComparison.Ordinal);
        string rest = string.Join(' ', "96 97 39 40 98 99 100 101 125 124 127".Split(' ').Where(f => f != payloadType && f != rtx));
        return Libwebrtc.Replace(Formats, $"m=video 9 UDP/TLS/RTP/SAVPF {payloadType} {rtx} {rest}", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("98", "99", "VP9")]
    [InlineData("39", "40", "AV1")]
    public void A_publisher_preferring_a_codec_every_member_offered_publishes_it_and_members_are_offered_it_under_their_own_payload_type(string pt, string rtx, string codec)
    {
        var subscriberEvents = new RecordingEvents();
        Participant subscriber = _engine.Join("both-" + codec, "subscriber", subscriberEvents);
        subscriber.HandleOffer(Libwebrtc);
        Participant publisher = _engine.Join("both-" + codec, "publisher", new RecordingEvents());

        OfferOutcome outcome = publisher.HandleOffer(LibwebrtcPreferring(pt, rtx));

        Assert.Equal(codec, VideoCodecOf(outcome.AnswerSdp).Name);
        RtpCodec sent = VideoCodecOf(Assert.Single(subscriberEvents.Offers), sendOnly: true);
        Assert.Equal(codec, sent.Name);
        Assert.Equal(int.Parse(pt, System.Globalization.CultureInfo.InvariantCulture), sent.PayloadType);
    }

    [Fact]
    public void A_publisher_preferring_VP9_publishes_VP8_when_a_member_offered_only_VP8()
    {
        var subscriberEvents = new RecordingEvents();
        Participant subscriber = _engine.Join("vp8-only", "subscriber", subscriberEvents);
        subscriber.HandleOffer(Libdatachannel);
        Participant publisher = _engine.Join("vp8-only", "publisher", new RecordingEvents());

        OfferOutcome outcome = publisher.HandleOffer(LibwebrtcPreferring("98", "99"));

        Assert.Equal("VP8", VideoCodecOf(outcome.AnswerSdp).Name);
        Assert.Equal("VP8", VideoCodecOf(Assert.Single(subscriberEvents.Offers), sendOnly: true).Name);
    }

    [Fact]
    public void A_member_whose_offer_did_not_list_the_codec_is_not_sent_it_even_when_its_answer_accepts_it()
    {
        Participant publisher = _engine.Join("late", "publisher", new RecordingEvents());
        Assert.Equal("VP9", VideoCodecOf(publisher.HandleOffer(LibwebrtcPreferring("98", "99")).AnswerSdp).Name);
        var lateEvents = new RecordingEvents();
        Participant late = _engine.Join("late", "late", lateEvents);
        late.HandleOffer(Libdatachannel);
        string serverOffer = Assert.Single(lateEvents.Offers);
        Assert.Equal("VP9", VideoCodecOf(serverOffer, sendOnly: true).Name);

        // An answer that accepts VP9 anyway (our own answerer, which forwards VP9).
        var transport = new LocalTransport("abcd", "0123456789abcdef0123456789", "sha-256", string.Join(':', Enumerable.Repeat("AB", 32)), DtlsSetup.Active, "127.0.0.1", 9);
        SdpAnswerResult answer = SdpAnswerBuilder.Build(SdpParser.Parse(serverOffer).Description!, transport, MediaCapabilities.Default, new Dictionary<string, SendStream>());
        Assert.True(answer.Success, answer.Error);
        Assert.Equal("VP9", VideoCodecOf(SdpWriter.Write(answer.Answer), sendOnly: false, recvOnly: true).Name);
        late.HandleAnswer(SdpWriter.Write(answer.Answer));

        Assert.Contains(late.DownTracks, d => d.Source.Kind == MediaKind.Audio && d.IsActive);
        Assert.DoesNotContain(late.DownTracks, d => d.Source.Kind == MediaKind.Video && d.IsActive);
    }

    /// <summary>The first media codec of the first video section (that we send in, or that the answerer receives in).</summary>
    private static RtpCodec VideoCodecOf(string sdp, bool sendOnly = false, bool recvOnly = false)
    {
        SessionDescription description = SdpParser.Parse(sdp).Description!;
        MediaDescription video = description.Media.First(m => m.Kind == MediaKind.Video && !m.IsRejected
            && (!sendOnly || m.Direction == MediaDirection.SendOnly)
            && (!recvOnly || m.Direction == MediaDirection.RecvOnly));
        return video.Codecs.First(c => !c.IsRtx);
    }
}
