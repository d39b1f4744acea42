using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core.Negotiation;
using Sfu.Core.Routing;
using Sfu.Core.Tests.Routing;

namespace Sfu.Core.Tests.Negotiation;

/// <summary>
/// The corpus of real SDP in Fixtures/Sdp, as browsers and native stacks wrote it talking to
/// this server (Firefox's and Chromium's are recorded by the Firefox browser test, libwebrtc's
/// and libdatachannel's by NativeStackInteropTests in the host tests, with
/// SFU_WRITE_SDP_FIXTURES=1): every file parses and writes back to an equal model; every offer
/// is answered by the real engine with an answer that keeps the JSEP and BUNDLE rules
/// (<see cref="SdpRules"/>), accepts every audio and video section it can carry, a=bundle-only
/// ones included (RFC 8843 §6), and publishes what the offer sends; and the server's offer
/// to a member whose browser numbers codecs differently keeps payload types unique in its
/// BUNDLE group (RFC 8843 §9.1).
/// </summary>
public sealed class SdpCorpusTests : IAsyncLifetime
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Negotiation", "Fixtures", "Sdp");

    private readonly SfuEngine _engine = new(new SfuOptions { Port = 0 }, NullLoggerFactory.Instance);

    public static TheoryData<string> Files() => [.. Directory.GetFiles(Folder, "*.sdp").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Offers() => [.. Files().Select(f => (string)f.Data).Where(f => f.EndsWith("-offer.sdp", StringComparison.Ordinal))];

    public ValueTask InitializeAsync()
    {
        _engine.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public void The_corpus_holds_offers_of_every_stack_we_test_with()
    {
        string[] names = [.. Files().Select(f => (string)f.Data)];
        Assert.Contains(names, n => n.StartsWith("firefox-", StringComparison.Ordinal) && n.EndsWith("-offer.sdp", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("chromium-", StringComparison.Ordinal) && n.EndsWith("-offer.sdp", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("libwebrtc-", StringComparison.Ordinal) && n.EndsWith("-offer.sdp", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("libdatachannel-", StringComparison.Ordinal) && n.EndsWith("-offer.sdp", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_file_parses_and_writes_back_to_the_same_model(string file)
    {
        SdpParseResult parsed = SdpParser.Parse(Read(file));
        Assert.True(parsed.Success, parsed.Error);

        SdpParseResult again = SdpParser.Parse(SdpWriter.Write(parsed.Description!));

        Assert.True(again.Success, again.Error);
        Assert.Equal(SdpWriter.Write(parsed.Description!), SdpWriter.Write(again.Description!));
    }

    [Theory]
    [MemberData(nameof(Offers))]
    public void Every_offer_is_answered_by_the_engine_within_the_rules_and_what_it_sends_is_published(string file)
    {
        string offerSdp = Read(file);
        SessionDescription offer = SdpParser.Parse(offerSdp).Description!;
        Participant participant = _engine.Join("corpus-" + file, "p", new RecordingEvents());

        OfferOutcome outcome = participant.HandleOffer(offerSdp);

        Assert.Empty(SdpRules.Check(outcome.AnswerSdp, offerSdp));
        SessionDescription answer = SdpParser.Parse(outcome.AnswerSdp).Description!;
        Assert.Equal(offer.ExtmapAllowMixed, answer.ExtmapAllowMixed); // RFC 8285 §6: accepted where offered
        MediaDescription[] media = [.. offer.Media.Where(m => !m.IsRejected && m.Kind is MediaKind.Audio or MediaKind.Video)];
        Assert.All(media, m => Assert.False(answer.FindMedia(m.Mid!)!.IsRejected, $"section {m.Mid} ({m.KindRaw}) was rejected: {string.Join("; ", outcome.Rejected.Select(r => r.Reason))}"));
        int sending = media.Count(m => OfferedTracks.Sends(m) && m.Ssrcs.Count > 0);
        Assert.Equal(sending, outcome.Published.Count);
    }

    [Theory]
    [MemberData(nameof(Offers))]
    public void A_server_offer_to_another_stack_keeps_payload_types_unique_in_its_bundle_group(string file)
    {
        string room = "mixed-" + file;
        var events = new RecordingEvents();
        Participant subscriber = _engine.Join(room, "subscriber", events);
        string other = Offers().Select(f => (string)f.Data).First(f => !f.StartsWith(file.Split('-')[0], StringComparison.Ordinal));
        subscriber.HandleOffer(Read(other));
        Participant publisher = _engine.Join(room, "publisher", new RecordingEvents());

        OfferOutcome published = publisher.HandleOffer(Read(file));

        Assert.NotEmpty(published.Published);
        string serverOffer = Assert.Single(events.Offers);
        Assert.Empty(SdpRules.Check(serverOffer));
    }

    private static string Read(string file) => File.ReadAllText(Path.Combine(Folder, file));
}
