using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sfu.Bots;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Ice;
using Sfu.Core.Negotiation;
using Sfu.Core.Routing;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// A peer that completes ICE from its own UDP socket and then sends the media port DTLS that
/// lies: records longer than their datagram, truncated headers, handshake fragments claiming
/// 16 MiB messages, well-framed records of random bytes. The server keeps forwarding another
/// room's media, and the bad peer's handshake fails with a logged reason and is removed.
/// </summary>
[Collection(nameof(HeapMeasuringTests))]
public sealed class DtlsGarbageTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task Hostile_dtls_records_fail_only_that_peers_handshake_with_a_logged_reason()
    {
        var capture = new LogCapture();
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            s => s.AddSingleton<ILoggerProvider>(capture), "--Logging:LogLevel:Default=Information", "--Sfu:Media:DtlsHandshakeTimeoutSeconds=4");
        SfuEngine engine = server.Engine;
        var url = new Uri(server.BaseUrl);

        // An ordinary room, running before and after.
        await using SfuBot publisher = await SfuBot.ConnectAsync(url, Options("stage", "Publisher", publish: true), Cancel);
        await using SfuBot viewer = await SfuBot.ConnectAsync(url, Options("stage", "Viewer", publish: false), Cancel);
        Assert.True(await viewer.WaitUntilAsync(b => b.RemoteTracks.Count == 2 && b.RemoteTracks.All(t => t.GetStats().PacketsReceived > 20), TimeSpan.FromSeconds(30)));

        // The hostile peer: offers, completes ICE (the server answers its check), then speaks garbage.
        var removed = new ConcurrentQueue<string>();
        var ice = IceCredentials.Generate();
        Participant hostile = engine.Join("other", "Mallory", new Recorder(removed));
        hostile.HandleOffer(Offer(ice, DtlsCertificate.Generate()));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] check = new byte[IceBindingRequestBuilder.MaxLength];
        int checkLength = IceBindingRequestBuilder.Write(check, [.. Enumerable.Range(1, 12).Select(i => (byte)i)], ice, hostile.Transport.LocalIce, priority: 2_130_706_431, tieBreaker: 42, useCandidate: true);
        socket.SendTo(check.AsSpan(0, checkLength), engine.MediaEndPoint);
        await Poll.UntilAsync(() => hostile.Transport.RemoteAddress is not null, "the server to select the hostile peer's address");

        long forwardedBefore = viewer.RemoteTracks.Sum(t => t.GetStats().PacketsReceived);
        var random = new Random(6347);
        int sent = 0;
        foreach (byte[] datagram in Garbage(random, 3000))
        {
            socket.SendTo(datagram, engine.MediaEndPoint);
            if (++sent % 100 == 0)
            {
                await Task.Delay(10, Cancel);
            }
        }

        // The peer never completes: at the handshake timeout it is removed, saying why.
        await Poll.UntilAsync(() => !removed.IsEmpty, "the hostile peer's removal", seconds: 30);
        string reason = Assert.Single(removed);
        Assert.Contains("DTLS handshake failed", reason, StringComparison.Ordinal);
        Assert.Null(engine.Rooms.Find("other"));
        Assert.True(engine.Counters.DroppedCount(DropReason.DtlsMalformed) > 1000, $"{engine.Counters.DroppedCount(DropReason.DtlsMalformed)} dropped as malformed of {sent}");

        LogCapture.Entry[] entries = [.. capture.Entries];
        LogCapture.Entry failure = Assert.Single(entries, e => e.Message.StartsWith("DTLS handshake failed", StringComparison.Ordinal));
        Assert.Matches("dropped unread, the first for a DTLS record", failure.Message);
        Assert.Single(entries, e => e.Message.StartsWith("Dropped a badly framed DTLS datagram", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Error || e.Exception is not null);

        // The other room kept flowing through all of it.
        await Task.Delay(500, Cancel);
        Assert.True(viewer.RemoteTracks.Sum(t => t.GetStats().PacketsReceived) > forwardedBefore + 100, "the stage room's media stopped");
        Assert.Null(viewer.RemovedReason);
        Assert.Null(publisher.RemovedReason);
        Assert.True(engine.Handshakes.Running == 0 && engine.Handshakes.Waiting == 0);
    }

    /// <summary>DTLS-looking datagrams (first byte 20..63, RFC 7983), badly framed, with well-framed random records among them.</summary>
    private static IEnumerable<byte[]> Garbage(Random random, int count)
    {
        for (int i = 0; i < count; i++)
        {
            byte[] datagram;
            switch (i % 5)
            {
                case 0:
                    // Random bytes after a DTLS first byte.
                    datagram = new byte[random.Next(1, 1400)];
                    random.NextBytes(datagram);
                    datagram[0] = (byte)random.Next(20, 64);
                    break;
                case 1:
                    // A handshake record whose length claims 16 KB in a 100-byte datagram.
                    datagram = Record(DtlsRecord.Handshake, epoch: 0, random, 87);
                    BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(11), 16_000);
                    break;
                case 2:
                    // A record cut inside its header.
                    datagram = Record(DtlsRecord.Handshake, epoch: 0, random, 0)[..random.Next(1, DtlsRecord.HeaderLength)];
                    break;
                case 3:
                    // Handshake fragments claiming 16 MiB ClientHellos, message_seq 0..15.
                    datagram = Record(DtlsRecord.Handshake, epoch: 0, random, 16 * 13);
                    for (int f = 0; f < 16; f++)
                    {
                        Span<byte> header = datagram.AsSpan(DtlsRecord.HeaderLength + (f * 13));
                        header[0] = 1;
                        header[1..4].Fill(0xFF);
                        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)f);
                        header[6..9].Clear();
                        header[9..12].Clear();
                        header[11] = 1;
                    }

                    break;
                default:
                    // Well framed, random inside: what BouncyCastle itself must reject.
                    datagram = Record((byte)random.Next(DtlsRecord.ChangeCipherSpec, DtlsRecord.ApplicationData + 1), (ushort)random.Next(0, 2), random, random.Next(0, 600));
                    break;
            }

            yield return datagram;
        }
    }

    private static byte[] Record(byte contentType, ushort epoch, Random random, int fragmentLength)
    {
        byte[] record = new byte[DtlsRecord.HeaderLength + fragmentLength];
        random.NextBytes(record);
        record[0] = contentType;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(1), 0xFEFD);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), epoch);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)fragmentLength);
        return record;
    }

    private static string Offer(IceCredentials ice, DtlsCertificate certificate)
    {
        var transport = new LocalTransport(ice.Ufrag, ice.Password, certificate.FingerprintAlgorithm, certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2 };
        SessionDescription offer = SdpOfferBuilder.Build(transport, [new OfferSection("0", MediaKind.Audio, MediaDirection.RecvOnly, [opus], [])], 1, 1);
        offer.IceLite = false;
        return SdpWriter.Write(offer);
    }

    private static SfuBotOptions Options(string room, string name, bool publish) => new()
    {
        Room = room,
        Name = name,
        PublishAudio = publish,
        PublishVideo = publish,
        DecodeAudio = false,
    };

    private sealed class Recorder(ConcurrentQueue<string> removed) : IParticipantEvents
    {
        public Task OfferAsync(string sdp) => Task.CompletedTask;

        public Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished)
        {
            removed.Enqueue(reason);
            return Task.CompletedTask;
        }
    }
}
