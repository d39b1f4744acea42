using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Ice;
using Sfu.Core.Negotiation;
using Sfu.Core.Stun;

namespace Sfu.Host.Tests;

/// <summary>
/// Bad input while a room is live: every kind is dropped or refused with a clear reason,
/// counted, and the werift peers in the room keep receiving each other's media.
/// </summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Garbage_and_forged_checks_on_the_media_port_are_counted_and_the_room_keeps_flowing()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "live", "a", expectRemotes: 2, lingerMs: 3000);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "live", "b", expectRemotes: 2, lingerMs: 3000);

        // A third participant that only signals: its answer names a live ICE session.
        await using HubConnection intruder = await ConnectAsync(server);
        await intruder.InvokeAsync<object>("Join", "live", "intruder", TestContext.Current.CancellationToken);
        string answer = await intruder.InvokeAsync<string>("Offer", MinimalOffer(), TestContext.Current.CancellationToken);
        string serverUfrag = SdpParser.Parse(answer).Description!.Media[0].IceUfrag!;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var media = new IPEndPoint(IPAddress.Loopback, server.Engine.MediaEndPoint.Port);
        long malformedBefore = server.Engine.Counters.DroppedCount(DropReason.Malformed);
        long unknownBefore = server.Engine.Counters.DroppedCount(DropReason.UnknownPeer);

        var random = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            byte[] junk = new byte[random.Next(1, 1400)];
            random.NextBytes(junk);
            // Cover each first-byte range of RFC 7983: STUN, DTLS, RTP/RTCP, and the unassigned rest.
            junk[0] = (i % 4) switch { 0 => (byte)random.Next(0, 4), 1 => (byte)random.Next(20, 64), 2 => (byte)random.Next(128, 192), _ => (byte)random.Next(64, 128) };
            socket.SendTo(junk, media);
        }

        // An ICE check naming the live session but signed with the wrong password.
        byte[] check = new byte[IceBindingRequestBuilder.MaxLength];
        var wrong = new IceCredentials("ab12", "wrongwrongwrongwrongwrong");
        var local = new IceCredentials("zz99", "zz99zz99zz99zz99zz99zz99");
        int checkLength = IceBindingRequestBuilder.Write(
            check, RandomNumberGenerator.GetBytes(12), local, new IceCredentials(serverUfrag, wrong.Password), 1234, 42, useCandidate: true);
        socket.SendTo(check.AsSpan(0, checkLength), SocketFlags.None, media);
        byte[] reply = new byte[1500];
        socket.ReceiveTimeout = 5000;
        int replyLength = socket.Receive(reply);

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(reply.AsSpan(0, replyLength), out StunMessage response));
        Assert.Equal(StunClass.ErrorResponse, response.Class);
        Assert.True(response.TryGetErrorCode(out int code, out _));
        Assert.Equal(401, code);
        Assert.True(server.Engine.Counters.DroppedCount(DropReason.StunUnauthorized) >= 1);
        Assert.True(server.Engine.Counters.DroppedCount(DropReason.Malformed) > malformedBefore);
        Assert.True(server.Engine.Counters.DroppedCount(DropReason.UnknownPeer) > unknownBefore);

        WeriftReport reportA = await a.WaitForReportAsync(TimeSpan.FromSeconds(30));
        WeriftReport reportB = await b.WaitForReportAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, reportA.Tracks.Concat(reportB.Tracks).Count(t => t.Verified >= 20 && t.Mismatches == 0));
        Assert.True(server.Engine.IsReady, "the media port's receive loop must survive");
    }

    [Theory]
    [InlineData("", "The offer is empty.")]
    [InlineData("hello world", "not valid SDP")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio", "line 5")]
    public async Task An_offer_that_does_not_parse_is_refused_with_the_reason_and_the_connection_keeps_working(string sdp, string expected)
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using HubConnection client = await ConnectAsync(server);
        await client.InvokeAsync<object>("Join", "sdp-errors", "tester", TestContext.Current.CancellationToken);

        HubException error = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<string>("Offer", sdp, TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        string answer = await client.InvokeAsync<string>("Offer", MinimalOffer(), TestContext.Current.CancellationToken);
        Assert.StartsWith("v=0", answer, StringComparison.Ordinal);
        Assert.Contains("a=ice-lite", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signaling_mistakes_get_clear_errors()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using HubConnection client = await ConnectAsync(server);

        HubException beforeJoin = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<string>("Offer", MinimalOffer(), TestContext.Current.CancellationToken));
        HubException badRoom = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<object>("Join", "no spaces/allowed", "x", TestContext.Current.CancellationToken));
        HubException badName = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<object>("Join", "room", "   ", TestContext.Current.CancellationToken));
        await client.InvokeAsync<object>("Join", "room", "tester", TestContext.Current.CancellationToken);
        HubException twice = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<object>("Join", "room", "tester", TestContext.Current.CancellationToken));
        HubException noOffer = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("Answer", MinimalOffer(), TestContext.Current.CancellationToken));
        HubException noTrack = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("SetReceiving", "7", false, TestContext.Current.CancellationToken));
        HubException badRelay = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("ReportRelayProtocol", "dtls", TestContext.Current.CancellationToken));
        await client.InvokeAsync("ReportRelayProtocol", "tls", TestContext.Current.CancellationToken);

        Assert.Contains("call Join first", beforeJoin.Message, StringComparison.Ordinal);
        Assert.Contains("letters, digits", badRoom.Message, StringComparison.Ordinal);
        Assert.Contains("Display name is empty", badName.Message, StringComparison.Ordinal);
        Assert.Contains("Already joined", twice.Message, StringComparison.Ordinal);
        Assert.Contains("no server offer waiting", noOffer.Message, StringComparison.Ordinal);
        Assert.Contains("There is no m-section '7' on your connection", noTrack.Message, StringComparison.Ordinal);
        Assert.Contains("A relay protocol is one of udp, tcp, tls", badRelay.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_room_refuses_more_joins_with_the_reason_even_when_they_race_and_admits_again_after_a_leave()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Media:MaxParticipantsPerRoom=2");
        HubConnection[] clients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ConnectAsync(server)));
        try
        {
            Task[] joins = [.. clients.Select((c, i) => c.InvokeAsync<object>("Join", "small", $"guest{i}", cancel))];
            await Task.WhenAll(joins).ContinueWith(_ => { }, cancel, TaskContinuationOptions.None, TaskScheduler.Default);

            Assert.Equal(2, joins.Count(j => j.IsCompletedSuccessfully));
            HubException[] refusals = [.. joins.Where(j => j.IsFaulted).Select(j => Assert.IsType<HubException>(j.Exception!.InnerException))];
            Assert.Equal(3, refusals.Length);
            Assert.All(refusals, e => Assert.Contains("The room 'small' is full: it admits 2 participants.", e.Message, StringComparison.Ordinal));
            Assert.Equal(2, server.Engine.Rooms.Find("small")!.Participants.Length);

            // A refused client is in no room: it may join another, or this one once there is space.
            HubConnection joined = clients[Array.FindIndex(joins, j => j.IsCompletedSuccessfully)];
            HubConnection refused = clients[Array.FindIndex(joins, j => j.IsFaulted)];
            await joined.InvokeAsync("Leave", cancel);
            await refused.InvokeAsync<object>("Join", "small", "late", cancel);
            Assert.Equal(2, server.Engine.Rooms.Find("small")!.Participants.Length);
        }
        finally
        {
            foreach (HubConnection client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_offer_without_bundle_is_refused()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using HubConnection client = await ConnectAsync(server);
        await client.InvokeAsync<object>("Join", "no-bundle", "tester", TestContext.Current.CancellationToken);
        string withoutBundle = string.Join("\r\n", MinimalOffer().Split("\r\n").Where(l => !l.StartsWith("a=group:", StringComparison.Ordinal)));

        HubException error = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<string>("Offer", withoutBundle, TestContext.Current.CancellationToken));

        Assert.Contains("BUNDLE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_offer_as_large_as_a_big_rooms_is_answered_and_one_over_the_sdp_limit_is_refused_with_the_reason()
    {
        // Its 24 sections all send (that is what makes it large), more than the 4 tracks a
        // participant may publish by default: the limit is raised so the size is what is tested.
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Limits:MaxPublishedTracks=32");
        await using HubConnection client = await ConnectAsync(server);
        await client.InvokeAsync<object>("Join", "big-room", "tester", TestContext.Current.CancellationToken);

        // What Chromium offers in a room of about two dozen: one section per track it sends or
        // receives, each with its whole codec list. SignalR's default limit is 32 KB.
        string large = LargeRoomOffer(videoSections: 24);
        Assert.True(large.Length > 64 * 1024, $"the offer is only {large.Length} characters");
        string answer = await client.InvokeAsync<string>("Offer", large, TestContext.Current.CancellationToken);
        Assert.Equal(25, SdpParser.Parse(answer).Description!.Media.Count);

        string tooLarge = large + new string(' ', SdpParser.MaxLength);
        HubException error = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<string>("Offer", tooLarge, TestContext.Current.CancellationToken));
        Assert.Contains($"at most {SdpParser.MaxLength:N0}", error.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, client.State);
        System.Text.Json.JsonElement rooms = await client.InvokeAsync<System.Text.Json.JsonElement>("WatchRooms", TestContext.Current.CancellationToken);
        Assert.Contains("big-room", rooms.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<HubConnection> ConnectAsync(SfuTestServer server)
    {
        HubConnection connection = new HubConnectionBuilder().WithUrl(server.BaseUrl + "/hubs/sfu").Build();
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>One Opus section and <paramref name="videoSections"/> video sections with a Chromium-sized codec list each.</summary>
    private static string LargeRoomOffer(int videoSections)
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var transport = new LocalTransport("ab12", "ab12ab12ab12ab12ab12ab12", certificate.FingerprintAlgorithm, certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2, Fmtp = "minptime=10;useinbandfec=1" };
        var sections = new List<OfferSection> { new("0", MediaKind.Audio, MediaDirection.SendOnly, [opus], [], new SendStream(1111, null, "cname", "stream", "audio")) };
        for (int i = 0; i < videoSections; i++)
        {
            var codecs = new List<RtpCodec>();
            string[] names = ["VP8", "VP9", "VP9", "H264", "H264", "H264", "H264", "H264", "H264", "AV1", "H265"];
            for (int c = 0; c < names.Length; c++)
            {
                var codec = new RtpCodec { PayloadType = 96 + (2 * c), Name = names[c], ClockRate = 90000, Fmtp = names[c] == "H264" ? $"level-asymmetry-allowed=1;packetization-mode={c % 2};profile-level-id=42e01f" : null };
                foreach (string feedback in new[] { "goog-remb", "transport-cc", "ccm fir", "nack", "nack pli" })
                {
                    codec.RtcpFeedback.Add(feedback);
                }

                codecs.Add(codec);
                codecs.Add(new RtpCodec { PayloadType = 97 + (2 * c), Name = "rtx", ClockRate = 90000, Fmtp = $"apt={96 + (2 * c)}" });
            }

            uint ssrc = 5000 + (uint)(10 * i);
            sections.Add(new OfferSection((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), MediaKind.Video, MediaDirection.SendOnly, codecs, [], new SendStream(ssrc, null, "cname", "stream", $"video{i}")));
        }

        return SdpWriter.Write(SdpOfferBuilder.Build(transport, sections, 1, 1));
    }

    /// <summary>A browser-shaped offer with one Opus track, built with our SDP writer.</summary>
    private static string MinimalOffer()
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var transport = new LocalTransport("ab12", "ab12ab12ab12ab12ab12ab12", certificate.FingerprintAlgorithm, certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2, Fmtp = "minptime=10;useinbandfec=1" };
        var section = new OfferSection("0", MediaKind.Audio, MediaDirection.SendOnly, [opus], [], new SendStream(1111, null, "cname", "stream", "track"));
        return SdpWriter.Write(SdpOfferBuilder.Build(transport, [section], 1, 1));
    }
}
