using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Ice;
using Sfu.Core.Negotiation;
using Sfu.Core.Routing;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// 500 peers that offer, complete ICE from their own UDP sockets and then never speak DTLS.
/// The server runs at most its in-flight bound of handshakes at once, each on its own thread,
/// queues the next ones without a thread, refuses those past the queue, and frees every one of
/// them at the handshake timeout through the one leave path.
/// </summary>
[Collection(nameof(HeapMeasuringTests))]
public sealed class DtlsSilenceTests
{
    private const int Peers = 500;

    [Fact(Timeout = 120_000)]
    public async Task Five_hundred_silent_peers_hold_at_most_sixteen_handshake_threads_and_are_all_freed_at_the_timeout()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            "--Sfu:Media:DtlsHandshakeTimeoutSeconds=6", "--Sfu:Limits:DtlsHandshakeQueue=400");
        SfuEngine engine = server.Engine;
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var removed = new ConcurrentBag<string>();
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < Peers; i++)
            {
                var ice = IceCredentials.Generate();
                Participant participant = engine.Join($"silent-{i % 10}", $"Silent {i}", new Recorder(removed));
                participant.HandleOffer(Offer(ice, certificate));
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                sockets.Add(socket);
                byte[] check = new byte[IceBindingRequestBuilder.MaxLength];
                int length = IceBindingRequestBuilder.Write(check, RandomTransaction(), ice, participant.Transport.LocalIce, priority: 2_130_706_431, tieBreaker: 42, useCandidate: true);
                socket.SendTo(check.AsSpan(0, length), engine.MediaEndPoint);
            }

            // While they wait: never more handshakes running (nor threads holding them) than the bound.
            int mostRunning = 0;
            int mostThreads = 0;
            int mostAll = 0;
            var started = DateTime.UtcNow;
            while (engine.Rooms.Rooms.Count > 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(30))
            {
                mostRunning = Math.Max(mostRunning, engine.Handshakes.Running);
                mostThreads = Math.Max(mostThreads, HandshakeThreads());
                mostAll = Math.Max(mostAll, ThreadCount());
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            Assert.Empty(engine.Rooms.Rooms);
            Assert.InRange(mostRunning, 1, 16);
            Assert.InRange(mostThreads, 1, 16);
            Assert.True(mostAll < 64, $"the process had {mostAll} threads");
            Assert.Equal(Peers, removed.Count);
            Assert.Equal(Peers - 16 - 400, removed.Count(r => r.Contains("handshakes are waiting already", StringComparison.Ordinal)));
            Assert.Equal(Peers - 16 - 400, engine.Counters.DroppedCount(DropReason.DtlsBusy));
            Assert.Equal(0, engine.Handshakes.Running);
            Assert.Equal(0, engine.Handshakes.Waiting);
            await Poll.UntilAsync(() => HandshakeThreads() == 0, "every handshake thread ended", seconds: 10);
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static string Offer(IceCredentials ice, DtlsCertificate certificate)
    {
        var transport = new LocalTransport(ice.Ufrag, ice.Password, certificate.FingerprintAlgorithm, certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2 };
        SessionDescription offer = SdpOfferBuilder.Build(transport, [new OfferSection("0", MediaKind.Audio, MediaDirection.RecvOnly, [opus], [])], 1, 1);
        offer.IceLite = false;
        return SdpWriter.Write(offer);
    }

    private static byte[] RandomTransaction()
    {
        byte[] transaction = new byte[12];
        Random.Shared.NextBytes(transaction);
        return transaction;
    }

    /// <summary>Threads of this process named for a DTLS handshake (Linux names them in /proc).</summary>
    private static int HandshakeThreads()
        => Directory.EnumerateDirectories("/proc/self/task").Count(task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).Trim() == DtlsTransport.HandshakeThreadName;
            }
            catch (IOException)
            {
                return false; // the thread ended while we looked
            }
        });

    private static int ThreadCount() => Directory.EnumerateDirectories("/proc/self/task").Count();

    private sealed class Recorder(ConcurrentBag<string> removed) : IParticipantEvents
    {
        public Task OfferAsync(string sdp) => Task.CompletedTask;

        public Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished)
        {
            removed.Add(reason);
            return Task.CompletedTask;
        }
    }
}
