using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

[CollectionDefinition(nameof(DtlsClaimedLengthTests), DisableParallelization = true)]
public sealed class DtlsClaimedLengthRunsAlone;

/// <summary>
/// A live BouncyCastle server fed handshake fragments that claim 16 MiB messages. Measured
/// as the process's total allocation, so the class runs alone.
/// </summary>
[Collection(nameof(DtlsClaimedLengthTests))]
public sealed class DtlsClaimedLengthTests
{
    [Fact]
    public async Task Fragments_claiming_huge_messages_never_size_a_buffer_and_the_handshake_goes_on()
    {
        var toClient = new DtlsTestLink();
        using var server = new DtlsTransport(DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, toClient);
        Task<DtlsHandshakeResult> handshake = server.HandshakeAsync(TestContext.Current.CancellationToken);

        // 16 fragments (message_seq 0..15, BouncyCastle's receive window), each the first byte of
        // a 16 MiB ClientHello: a reassembler that trusted the length would allocate 256 MiB.
        byte[] bomb = DtlsDatagramFramingTests.HandshakeRecord(0, [.. Enumerable.Repeat((0xFFFFFF, 0, 1, 1), 16)]);
        byte[] clientHello = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fuzz", "Seeds", "dtls", "client-hello.bin"));

        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 1; i <= 4; i++)
        {
            bomb[10] = (byte)i; // record sequence numbers 1..4, inside the replay window of the ClientHello's 0
            Assert.False(server.EnqueueIncoming(bomb, out DtlsFraming framing));
            Assert.Equal(DtlsFraming.HandshakeMessageTooLong, framing);
        }

        // One queue, one thread: the server answers this real ClientHello only after whatever came before it.
        Assert.True(server.EnqueueIncoming(clientHello));
        Assert.True(SpinWait.SpinUntil(() => toClient.Sent > 0, DtlsTestPair.TestTimeout), "the server never answered the ClientHello");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(4, server.MalformedDropped);
        Assert.True(allocated < 16 << 20, $"{allocated:N0} bytes allocated while the claimed lengths add up to {16L * 0xFFFFFF * 4:N0}");

        // The peer that sent it never finishes; its failure names what was dropped.
        server.Dispose();
        DtlsHandshakeResult result = await handshake.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task A_peer_whose_flights_are_all_dropped_times_out_with_the_reason()
    {
        using var server = new DtlsTransport(
            DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, new DtlsTestLink(),
            options: new DtlsTransportOptions { HandshakeTimeout = TimeSpan.FromSeconds(1) });
        Task<DtlsHandshakeResult> handshake = server.HandshakeAsync(TestContext.Current.CancellationToken);

        // A ClientHello record whose length runs 100 bytes past the datagram.
        byte[] truncated = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fuzz", "Seeds", "dtls", "client-hello.bin"))[..^100];
        Assert.False(server.EnqueueIncoming(truncated, out DtlsFraming framing));
        Assert.Equal(DtlsFraming.RecordLongerThanDatagram, framing);

        DtlsHandshakeResult result = await handshake.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(DtlsHandshakeError.Timeout, result.Error);
        Assert.Contains("1 datagram(s) from the peer were dropped unread, the first for a DTLS record whose length runs past the end of its datagram", result.ErrorMessage, StringComparison.Ordinal);
    }
}
