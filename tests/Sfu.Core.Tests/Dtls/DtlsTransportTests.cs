using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Dtls;
using Sfu.Core.Srtp;

namespace Sfu.Core.Tests.Dtls;

public class DtlsTransportTests
{
    private const byte HandshakeFailure = 40; // RFC 5246 §7.2
    private const byte BadCertificate = 42;

    private static readonly DtlsTransportOptions FastRetransmit = new() { InitialRetransmitTimeout = TimeSpan.FromMilliseconds(150) };

    [Theory]
    [InlineData(true)] // server waiting before the ClientHello arrives (the SFU case)
    [InlineData(false)] // ClientHello queued before the server starts
    public async Task Handshake_succeeds_and_both_sides_derive_the_same_keys(bool serverFirst)
    {
        using var pair = new DtlsTestPair();
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync(serverFirst);

        Assert.True(client.Succeeded, client.ToString());
        Assert.True(server.Succeeded, server.ToString());
        Assert.Equal(DtlsRole.Client, client.Role);
        Assert.Equal(DtlsRole.Server, server.Role);

        // Both offered: the server's preference, AEAD_AES_128_GCM, wins; AES_128_GCM suite first.
        Assert.Equal(SrtpProfile.AeadAes128Gcm, client.Profile);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, server.Profile);
        Assert.Equal(0xC02B, server.CipherSuite);
        Assert.Equal(server.CipherSuite, client.CipherSuite);

        AssertSameKeys(client, server, keyLength: 16, saltLength: 12);
        Assert.True(client.Duration > TimeSpan.Zero);
        Assert.Same(server, pair.Server.Result);
    }

    [Theory]
    [InlineData(new[] { SrtpProfile.Aes128CmHmacSha1_80 }, new[] { SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80 }, SrtpProfile.Aes128CmHmacSha1_80)] // client offers CM only
    [InlineData(new[] { SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80 }, new[] { SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm }, SrtpProfile.Aes128CmHmacSha1_80)] // server prefers CM
    [InlineData(new[] { SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm }, new[] { SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80 }, SrtpProfile.AeadAes128Gcm)] // client order does not matter
    public async Task Profile_selection(SrtpProfile[] clientProfiles, SrtpProfile[] serverProfiles, SrtpProfile expected)
    {
        using var pair = new DtlsTestPair(new DtlsTransportOptions { SrtpProfiles = clientProfiles }, new DtlsTransportOptions { SrtpProfiles = serverProfiles });
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();

        Assert.True(client.Succeeded && server.Succeeded, client + " / " + server);
        Assert.Equal(expected, client.Profile);
        Assert.Equal(expected, server.Profile);
        AssertSameKeys(client, server, 16, expected == SrtpProfile.AeadAes128Gcm ? 12 : 14);
    }

    [Fact]
    public async Task No_common_profile_fails_the_handshake()
    {
        using var pair = new DtlsTestPair(
            new DtlsTransportOptions { SrtpProfiles = [SrtpProfile.Aes128CmHmacSha1_80], HandshakeTimeout = TimeSpan.FromSeconds(3) },
            new DtlsTransportOptions { SrtpProfiles = [SrtpProfile.AeadAes128Gcm] });
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();

        Assert.Equal(DtlsHandshakeError.NoCommonSrtpProfile, server.Error);
        Assert.Contains("No common SRTP profile", server.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(HandshakeFailure, server.Alert);
        Assert.False(client.Succeeded);
        Assert.True(client.ClientWriteKey.IsEmpty);
    }

    [Fact]
    public async Task Server_rejects_a_client_certificate_that_does_not_match_the_SDP()
    {
        using var pair = new DtlsTestPair(serverExpects: DtlsTestCertificates.B.Fingerprint); // wrong: client uses A
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();

        Assert.Equal(DtlsHandshakeError.FingerprintMismatch, server.Error);
        Assert.Contains(DtlsTestCertificates.A.Fingerprint, server.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(BadCertificate, server.Alert);
        Assert.Equal(DtlsHandshakeError.AlertReceived, client.Error);
        Assert.Equal(BadCertificate, client.Alert);
    }

    [Fact]
    public async Task Client_rejects_a_server_certificate_that_does_not_match_the_SDP()
    {
        using var pair = new DtlsTestPair(clientExpects: DtlsTestCertificates.A.Fingerprint); // wrong: server uses B
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();

        Assert.Equal(DtlsHandshakeError.FingerprintMismatch, client.Error);
        Assert.Contains("SDP announced", client.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(DtlsHandshakeError.AlertReceived, server.Error);
        Assert.Equal(BadCertificate, server.Alert);
    }

    [Fact]
    public async Task Completes_over_a_lossy_link_thanks_to_retransmission()
    {
        // Drop every 3rd datagram among the first 9 in each direction.
        static bool Lossy(int index, byte[] datagram) => index <= 9 && index % 3 == 0;
        using var pair = new DtlsTestPair(
            FastRetransmit,
            FastRetransmit,
            toServer: new DtlsTestLink { Drop = Lossy },
            toClient: new DtlsTestLink { Drop = Lossy });
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();

        Assert.True(client.Succeeded, client.ToString());
        Assert.True(server.Succeeded, server.ToString());
        Assert.True(pair.ToServer.Dropped + pair.ToClient.Dropped > 0);
        AssertSameKeys(client, server, 16, 12);
    }

    [Fact]
    public async Task Server_answers_a_retransmitted_final_flight_after_its_handshake_completed()
    {
        // Lose the server's ChangeCipherSpec (content type 20) and its first epoch-1 record
        // (the Finished): the server is done, the client retransmits its last flight and only the
        // server's post-handshake reader can answer it (RFC 6347 §4.2.4).
        bool ccsDropped = false, finishedDropped = false;
        bool DropServerFinalFlight(int index, byte[] datagram)
        {
            if (datagram[0] == 20 && !ccsDropped)
            {
                return ccsDropped = true;
            }

            if (datagram[0] == 22 && datagram[3] == 0 && datagram[4] == 1 && !finishedDropped)
            {
                return finishedDropped = true;
            }

            return false;
        }

        using var pair = new DtlsTestPair(FastRetransmit, FastRetransmit, toClient: new DtlsTestLink { Drop = DropServerFinalFlight });
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();

        Assert.True(server.Succeeded, server.ToString());
        Assert.True(client.Succeeded, client.ToString());
        Assert.Equal(2, pair.ToClient.Dropped);
        AssertSameKeys(client, server, 16, 12);
    }

    [Fact]
    public async Task Random_garbage_between_real_datagrams_is_ignored()
    {
        using var pair = new DtlsTestPair(
            toServer: new DtlsTestLink { Garbage = new Random(6347) },
            toClient: new DtlsTestLink { Garbage = new Random(5246) });
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();

        Assert.True(client.Succeeded, client.ToString());
        Assert.True(server.Succeeded, server.ToString());
    }

    [Fact]
    public async Task Times_out_when_the_peer_never_answers()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sink = new DtlsTestLink(); // goes nowhere
        using var client = new DtlsTransport(DtlsTestCertificates.A, DtlsRole.Client, "sha-256", DtlsTestCertificates.B.Fingerprint, sink, time);
        Task<DtlsHandshakeResult> handshake = client.HandshakeAsync(TestContext.Current.CancellationToken);

        Assert.True(SpinWait.SpinUntil(() => sink.Sent > 0, DtlsTestPair.TestTimeout)); // ClientHello is out
        Assert.False(handshake.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10.5));

        DtlsHandshakeResult result = await handshake.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(DtlsHandshakeError.Timeout, result.Error);
        Assert.Contains("10 s", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_times_out_without_a_ClientHello()
    {
        var sink = new DtlsTestLink();
        using var server = new DtlsTransport(
            DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, sink,
            options: new DtlsTransportOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });

        DtlsHandshakeResult result = await server.HandshakeAsync(TestContext.Current.CancellationToken).WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);

        Assert.Equal(DtlsHandshakeError.Timeout, result.Error);
        Assert.Equal(0, sink.Sent); // a server never speaks first
    }

    [Fact]
    public async Task Cancellation_completes_with_Canceled()
    {
        using var server = new DtlsTransport(DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, new DtlsTestLink());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        DtlsHandshakeResult result = await server.HandshakeAsync(cts.Token).WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);

        Assert.Equal(DtlsHandshakeError.Canceled, result.Error);
    }

    [Fact]
    public async Task Dispose_during_the_handshake_completes_with_Disposed()
    {
        var server = new DtlsTransport(DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, new DtlsTestLink());
        Task<DtlsHandshakeResult> handshake = server.HandshakeAsync(TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        server.Dispose();

        DtlsHandshakeResult result = await handshake.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(DtlsHandshakeError.Disposed, result.Error);
        Assert.False(server.EnqueueIncoming([22, 254, 253]));
    }

    [Fact]
    public async Task Close_sends_close_notify_and_both_sides_report_Closed()
    {
        using var pair = new DtlsTestPair();
        var serverClosed = new TaskCompletionSource<DtlsClosedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientClosed = new TaskCompletionSource<DtlsClosedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Closed += (_, e) => serverClosed.TrySetResult(e);
        pair.Client.Closed += (_, e) => clientClosed.TrySetResult(e);
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();
        Assert.True(client.Succeeded && server.Succeeded);

        pair.Client.Close();

        DtlsClosedEventArgs atServer = await serverClosed.Task.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        DtlsClosedEventArgs atClient = await clientClosed.Task.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(DtlsCloseReason.PeerCloseNotify, atServer.Reason);
        Assert.Equal(DtlsCloseReason.LocalClose, atClient.Reason);
        Assert.False(pair.Server.EnqueueIncoming([23, 254, 253])); // the server stopped reading
    }

    [Fact]
    public async Task An_established_association_holds_no_thread_and_still_reads_what_the_peer_sends()
    {
        using var pair = new DtlsTestPair();
        var serverClosed = new TaskCompletionSource<DtlsClosedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Closed += (_, e) => serverClosed.TrySetResult(e);
        (DtlsHandshakeResult client, DtlsHandshakeResult server) = await pair.HandshakeAsync();
        Assert.True(client.Succeeded && server.Succeeded);

        // The handshake threads end once the keys are out; nothing waits on a thread per peer.
        Assert.True(SpinWait.SpinUntil(() => !pair.Server.HoldsThread && !pair.Client.HoldsThread, DtlsTestPair.TestTimeout));

        // Whatever arrives later is still read: the client's close_notify ends the server's side.
        pair.Client.Close();
        DtlsClosedEventArgs atServer = await serverClosed.Task.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(DtlsCloseReason.PeerCloseNotify, atServer.Reason);
    }

    [Fact]
    public async Task A_throwing_Closed_handler_does_not_escape()
    {
        using var pair = new DtlsTestPair();
        var raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Closed += (_, _) =>
        {
            raised.TrySetResult();
            throw new InvalidOperationException("handler bug");
        };
        _ = await pair.HandshakeAsync();

        pair.Client.Dispose();
        await raised.Task.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void HandshakeAsync_can_only_be_started_once()
    {
        using var server = new DtlsTransport(DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, new DtlsTestLink());
        _ = server.HandshakeAsync(TestContext.Current.CancellationToken);
        Assert.Throws<InvalidOperationException>(() => { _ = server.HandshakeAsync(TestContext.Current.CancellationToken); });
    }

    [Theory]
    [InlineData("sha-256", "not a fingerprint")] // bad value
    [InlineData("md5", "AB:CD")] // unsupported hash
    public void Constructor_rejects_an_invalid_fingerprint(string algorithm, string value) =>
        Assert.Throws<ArgumentException>(() => new DtlsTransport(DtlsTestCertificates.A, DtlsRole.Client, algorithm, value, new DtlsTestLink()));

    [Fact]
    public void EnqueueIncoming_never_throws_and_drops_without_allocating_when_full()
    {
        using var server = new DtlsTransport(DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, new DtlsTestLink());
        var random = new Random(7983);
        byte[] datagram = new byte[70000];
        for (int i = 0; i < 200; i++)
        {
            int size = random.Next(0, i % 10 == 0 ? datagram.Length : 1600);
            random.NextBytes(datagram.AsSpan(0, size));
            _ = server.EnqueueIncoming(datagram.AsSpan(0, size));
        }

        // Random bytes are badly framed, dropped for free.
        Assert.Equal(0, Allocations.Measure(() => Assert.False(server.EnqueueIncoming(datagram.AsSpan(0, 100)))));

        // Well-framed records fill the queue (64 by default); after that they are dropped for free too.
        byte[] changeCipherSpec = [20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
        for (int i = 0; i < 100; i++)
        {
            _ = server.EnqueueIncoming(changeCipherSpec);
        }

        Assert.Equal(0, Allocations.Measure(() => Assert.False(server.EnqueueIncoming(changeCipherSpec, out DtlsFraming framing) || framing != DtlsFraming.Ok)));
    }

    private static void AssertSameKeys(DtlsHandshakeResult client, DtlsHandshakeResult server, int keyLength, int saltLength)
    {
        Assert.Equal(keyLength, client.ClientWriteKey.Length);
        Assert.Equal(keyLength, client.ServerWriteKey.Length);
        Assert.Equal(saltLength, client.ClientWriteSalt.Length);
        Assert.Equal(saltLength, client.ServerWriteSalt.Length);

        Assert.Equal(client.ClientWriteKey.ToArray(), server.ClientWriteKey.ToArray());
        Assert.Equal(client.ServerWriteKey.ToArray(), server.ServerWriteKey.ToArray());
        Assert.Equal(client.ClientWriteSalt.ToArray(), server.ClientWriteSalt.ToArray());
        Assert.Equal(client.ServerWriteSalt.ToArray(), server.ServerWriteSalt.ToArray());

        // What one side sends with, the other receives with.
        Assert.Equal(client.LocalMasterKey.ToArray(), server.RemoteMasterKey.ToArray());
        Assert.Equal(server.LocalMasterSalt.ToArray(), client.RemoteMasterSalt.ToArray());
        Assert.NotEqual(client.ClientWriteKey.ToArray(), client.ServerWriteKey.ToArray());
    }
}
