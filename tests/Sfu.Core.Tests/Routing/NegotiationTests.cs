using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// The offer/answer rules of one participant's peer connection, driven through the engine
/// with a real (unused) media port: one outstanding offer in either direction, glare refused
/// with a reason, subscriptions offered in sections the subscriber answers.
/// </summary>
public sealed class NegotiationTests : IAsyncLifetime
{
    private readonly SfuEngine _engine = new(new SfuOptions { Port = 0 }, NullLoggerFactory.Instance);

    public ValueTask InitializeAsync()
    {
        _engine.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public void A_publisher_is_offered_to_the_rest_of_the_room_with_its_stream_and_the_subscribers_payload_type()
    {
        var aliceEvents = new RecordingEvents();
        Participant alice = _engine.Join("room", "alice", aliceEvents);
        alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 100));
        Participant bob = _engine.Join("room", "bob", new RecordingEvents());

        OfferOutcome outcome = bob.HandleOffer(ClientOffer(ssrc: 2222, videoPayloadType: 96));

        Assert.Equal(2, outcome.Published.Count);
        SessionDescription offer = Parse(Assert.Single(aliceEvents.Offers));
        MediaDescription[] sending = [.. offer.Media.Where(m => m.Direction == MediaDirection.SendOnly)];
        Assert.Equal(2, sending.Length);
        Assert.All(sending, m => Assert.Equal(bob.Id, m.Msid!.StreamId));
        MediaDescription video = sending.Single(m => m.Kind == MediaKind.Video);
        Assert.Equal(100, video.Codecs[0].PayloadType); // alice's own number for VP8
        Assert.All(offer.Media.Where(m => m.Mid is "0" or "1"), m => Assert.Equal(MediaDirection.RecvOnly, m.Direction));
    }

    [Fact]
    public void A_client_offer_during_a_pending_server_offer_is_refused_as_glare_until_answered()
    {
        var aliceEvents = new RecordingEvents();
        Participant alice = _engine.Join("room", "alice", aliceEvents);
        alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96));
        Participant bob = _engine.Join("room", "bob", new RecordingEvents());
        bob.HandleOffer(ClientOffer(ssrc: 2222, videoPayloadType: 96));
        string serverOffer = Assert.Single(aliceEvents.Offers);

        SignalingException glare = Assert.Throws<SignalingException>(() => alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96)));
        alice.HandleAnswer(AnswerTo(serverOffer));
        alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96));

        Assert.StartsWith("glare:", glare.Message, StringComparison.Ordinal);
        Assert.True(alice.DownTracks.All(d => d.IsActive));
    }

    [Fact]
    public void A_departed_publishers_sections_are_freed_and_reused_for_the_next_one()
    {
        var aliceEvents = new RecordingEvents();
        Participant alice = _engine.Join("room", "alice", aliceEvents);
        alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96));
        Participant bob = _engine.Join("room", "bob", new RecordingEvents());
        bob.HandleOffer(ClientOffer(ssrc: 2222, videoPayloadType: 96));
        alice.HandleAnswer(AnswerTo(aliceEvents.Offers[^1]));

        _engine.Leave(bob);
        SessionDescription afterLeave = Parse(aliceEvents.Offers[^1]);
        alice.HandleAnswer(AnswerTo(aliceEvents.Offers[^1]));
        Participant carol = _engine.Join("room", "carol", new RecordingEvents());
        carol.HandleOffer(ClientOffer(ssrc: 3333, videoPayloadType: 96));
        SessionDescription afterCarol = Parse(aliceEvents.Offers[^1]);

        Assert.Equal(4, afterLeave.Media.Count);
        Assert.All(afterLeave.Media.Skip(2), m => Assert.Equal(MediaDirection.Inactive, m.Direction));
        Assert.Equal(4, afterCarol.Media.Count); // no new sections: bob's were recycled
        Assert.All(afterCarol.Media.Skip(2), m => Assert.Equal(carol.Id, m.Msid!.StreamId));
    }

    [Fact]
    public void An_answer_with_no_offer_pending_is_refused()
    {
        Participant alice = _engine.Join("room", "alice", new RecordingEvents());
        alice.HandleOffer(ClientOffer(ssrc: 1, videoPayloadType: 96));

        SignalingException error = Assert.Throws<SignalingException>(() => alice.HandleAnswer(ClientOffer(1, 96)));

        Assert.Contains("no server offer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_participant_that_may_not_publish_gets_its_send_sections_answered_inactive_and_publishes_nothing()
    {
        var aliceEvents = new RecordingEvents();
        Participant alice = _engine.Join("room", "alice", aliceEvents);
        alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96));
        Participant viewer = _engine.Join("room", "viewer", new RecordingEvents(), new ParticipantPermissions(CanPublish: false, CanSubscribe: true));

        OfferOutcome outcome = viewer.HandleOffer(ClientOffer(ssrc: 2222, videoPayloadType: 96));

        // RFC 3264 §6.1: a sendonly section answered inactive carries nothing either way.
        Assert.All(Parse(outcome.AnswerSdp).Media, m => Assert.Equal(MediaDirection.Inactive, m.Direction));
        Assert.Equal(["0", "1"], outcome.PublishRefused);
        Assert.Empty(outcome.Published);
        Assert.Empty(viewer.Producers);
        Assert.Empty(alice.DownTracks);
        Assert.Empty(aliceEvents.Offers);
        Assert.Equal(2, viewer.DownTracks.Length); // receiving still works
    }

    [Fact]
    public void A_participant_that_may_not_subscribe_is_given_no_track_and_still_publishes()
    {
        Participant alice = _engine.Join("room", "alice", new RecordingEvents());
        alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96));
        var deafEvents = new RecordingEvents();
        Participant deaf = _engine.Join("room", "deaf", deafEvents, new ParticipantPermissions(CanPublish: true, CanSubscribe: false));

        OfferOutcome outcome = deaf.HandleOffer(ClientOffer(ssrc: 2222, videoPayloadType: 96));

        Assert.Equal(2, outcome.Published.Count);
        Assert.Empty(outcome.PublishRefused);
        Assert.Empty(deaf.DownTracks);
        Assert.Empty(deafEvents.Offers);
        Assert.Equal(2, alice.DownTracks.Length);
    }

    private static SessionDescription Parse(string sdp) => SdpParser.Parse(sdp).Description!;

    /// <summary>A browser-shaped offer: sendonly Opus and VP8 sections with a=ssrc and msid.</summary>
    [Fact]
    public void A_re_offer_with_new_ice_credentials_restarts_ice_and_the_answer_carries_new_ones_of_ours()
    {
        Participant alice = _engine.Join("room", "alice", new RecordingEvents());
        string firstUfrag = Parse(alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96)).AnswerSdp).Media[0].IceUfrag!;

        // The same credentials again: an ordinary renegotiation, nothing restarts.
        string sameUfrag = Parse(alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96)).AnswerSdp).Media[0].IceUfrag!;
        Assert.Equal(firstUfrag, sameUfrag);
        Assert.Null(alice.Transport.PreviousLocalUfrag);

        // A new password alone is a restart too (RFC 8839 §4.4.1.1.1).
        string restarted = Parse(alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96, pwd: "newpwdnewpwdnewpwdnewpwd")).AnswerSdp).Media[0].IceUfrag!;
        Assert.NotEqual(firstUfrag, restarted);
        Assert.Equal(restarted, alice.Transport.LocalIce.Ufrag);
        Assert.Equal(firstUfrag, alice.Transport.PreviousLocalUfrag);
        Assert.Equal("newpwdnewpwdnewpwdnewpwd", alice.Transport.RemotePassword);

        string again = Parse(alice.HandleOffer(ClientOffer(ssrc: 1111, videoPayloadType: 96, ufrag: "ufr3", pwd: "newpwdnewpwdnewpwdnewpwd")).AnswerSdp).Media[0].IceUfrag!;
        Assert.NotEqual(restarted, again);
        Assert.Equal(restarted, alice.Transport.PreviousLocalUfrag);
        Assert.Equal("ufr3", alice.Transport.RemoteUfrag);
    }

    private static string ClientOffer(uint ssrc, int videoPayloadType, string ufrag = "ufr1", string pwd = "pwdpwdpwdpwdpwdpwdpwdpwd")
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var transport = new LocalTransport(ufrag, pwd, certificate.FingerprintAlgorithm, certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2 };
        var vp8 = new RtpCodec { PayloadType = videoPayloadType, Name = "VP8", ClockRate = 90000 };
        vp8.RtcpFeedback.Add("nack pli");
        OfferSection[] sections =
        [
            new("0", MediaKind.Audio, MediaDirection.SendOnly, [opus], [], new SendStream(ssrc, null, "c", "s", "audio-track")),
            new("1", MediaKind.Video, MediaDirection.SendOnly, [vp8], [], new SendStream(ssrc + 1, null, "c", "s", "video-track")),
        ];
        SessionDescription offer = SdpOfferBuilder.Build(transport, sections, 1, 1);
        offer.IceLite = false;
        return SdpWriter.Write(offer);
    }

    /// <summary>What a browser answers to a server offer: each section mirrored, codecs kept.</summary>
    private static string AnswerTo(string offerSdp)
    {
        SessionDescription offer = Parse(offerSdp);
        foreach (MediaDescription media in offer.Media)
        {
            media.Direction = media.Direction switch
            {
                MediaDirection.SendOnly => MediaDirection.RecvOnly,
                MediaDirection.RecvOnly => MediaDirection.SendOnly,
                _ => media.Direction,
            };
            media.Setup = DtlsSetup.Active;
            media.Ssrcs.Clear();
            media.SsrcGroups.Clear();
        }

        offer.IceLite = false;
        return SdpWriter.Write(offer);
    }
}
