using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Core;
using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;

namespace Sfu.Host.Tests;

/// <summary>
/// What the hub tells a client about its own session, over real SignalR connections: why a
/// section of its offer was rejected, which session a server offer belongs to, and a pause
/// request for a track that has just ended.
/// </summary>
public sealed class SignalingSessionTests
{
    [Fact]
    public async Task A_section_the_server_rejects_is_answered_with_port_0_and_the_client_is_told_why()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using HubConnection client = await ConnectAsync(server);
        var rejected = Channel.CreateUnbounded<JsonElement>();
        client.On<JsonElement>("SectionsRejected", sections => rejected.Writer.TryWrite(sections));
        await client.InvokeAsync<JsonElement>("Join", "rejections", "tester", cancel);

        // H.265 is no codec the server forwards: the section is rejected, the audio one is not.
        var h265 = new RtpCodec { PayloadType = 100, Name = "H265", ClockRate = 90000 };
        string answer = await client.InvokeAsync<string>("Offer", Offer(new OfferSection("1", MediaKind.Video, MediaDirection.SendOnly, [h265], [], new SendStream(2222, null, "cname", "stream", "video"))), cancel);

        SessionDescription parsed = SdpParser.Parse(answer).Description!;
        Assert.False(parsed.FindMedia("0")!.IsRejected);
        Assert.True(parsed.FindMedia("1")!.IsRejected);
        JsonElement sections = await rejected.Reader.ReadAsync(cancel);
        JsonElement section = Assert.Single(sections.EnumerateArray());
        Assert.Equal("1", section.GetProperty("mid").GetString());
        Assert.Equal("video", section.GetProperty("kind").GetString());
        Assert.Contains("H265", section.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_offer_names_the_session_it_belongs_to_and_pausing_a_track_that_just_ended_is_no_error()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using HubConnection bob = await ConnectAsync(server);
        var offers = Channel.CreateUnbounded<(string Sdp, string Session)>();
        bob.On<string, string>("Offer", (sdp, session) => offers.Writer.TryWrite((sdp, session)));
        JsonElement joined = await bob.InvokeAsync<JsonElement>("Join", "sessions", "bob", cancel);
        await bob.InvokeAsync<string>("Offer", Offer(), cancel);

        await using (HubConnection ada = await ConnectAsync(server))
        {
            await ada.InvokeAsync<JsonElement>("Join", "sessions", "ada", cancel);
            await ada.InvokeAsync<string>("Offer", Offer(), cancel);
            (string sdp, string session) = await offers.Reader.ReadAsync(cancel);
            Assert.Equal(joined.GetProperty("participantId").GetString(), session);
            Assert.Contains("a=mid:s0", sdp, StringComparison.Ordinal);
            await ada.InvokeAsync("Leave", cancel);
        }

        // Ada's track ended; Bob's client may still ask to pause the section it arrived in.
        await bob.InvokeAsync("SetReceiving", "s0", false, cancel);
        HubException unknown = await Assert.ThrowsAsync<HubException>(() => bob.InvokeAsync("SetReceiving", "s9", false, cancel));
        Assert.Contains("no m-section 's9'", unknown.Message, StringComparison.Ordinal);
    }

    private static async Task<HubConnection> ConnectAsync(SfuTestServer server)
    {
        HubConnection connection = new HubConnectionBuilder().WithUrl(server.BaseUrl + "/hubs/sfu").Build();
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>An Opus section that sends (mid 0), then <paramref name="more"/>.</summary>
    private static string Offer(params OfferSection[] more)
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var transport = new LocalTransport("ab12", "ab12ab12ab12ab12ab12ab12", certificate.FingerprintAlgorithm, certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2, Fmtp = "minptime=10;useinbandfec=1" };
        var audio = new OfferSection("0", MediaKind.Audio, MediaDirection.SendOnly, [opus], [], new SendStream((uint)Random.Shared.Next(1000, int.MaxValue), null, "cname", "stream", "audio"));
        return SdpWriter.Write(SdpOfferBuilder.Build(transport, [audio, .. more], 1, 1));
    }
}
