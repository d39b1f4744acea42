using System.Net;
using System.Net.Sockets;
using Sfu.Core.Dtls;
using Sfu.Core.Srtp;

namespace Sfu.Core.Tests.Dtls;

public class DtlsUdpTests
{
    [Fact]
    public async Task Handshake_over_real_udp_sockets_on_loopback()
    {
        using var clientSocket = Bind();
        using var serverSocket = Bind();
        using var client = new DtlsTransport(DtlsTestCertificates.A, DtlsRole.Client, "sha-256", DtlsTestCertificates.B.Fingerprint, new UdpSender(clientSocket, serverSocket.LocalEndPoint!));
        using var server = new DtlsTransport(DtlsTestCertificates.B, DtlsRole.Server, "sha-256", DtlsTestCertificates.A.Fingerprint, new UdpSender(serverSocket, clientSocket.LocalEndPoint!));
        using var stop = new CancellationTokenSource();
        Task clientLoop = ReceiveLoop(clientSocket, client, stop.Token);
        Task serverLoop = ReceiveLoop(serverSocket, server, stop.Token);
        var serverClosed = new TaskCompletionSource<DtlsCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Closed += (_, e) => serverClosed.TrySetResult(e.Reason);

        Task<DtlsHandshakeResult> serverHandshake = server.HandshakeAsync(TestContext.Current.CancellationToken);
        DtlsHandshakeResult clientResult = await client.HandshakeAsync(TestContext.Current.CancellationToken).WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
        DtlsHandshakeResult serverResult = await serverHandshake.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);

        Assert.True(clientResult.Succeeded, clientResult.ToString());
        Assert.True(serverResult.Succeeded, serverResult.ToString());
        Assert.Equal(SrtpProfile.AeadAes128Gcm, serverResult.Profile);
        Assert.Equal(clientResult.LocalMasterKey.ToArray(), serverResult.RemoteMasterKey.ToArray());
        Assert.Equal(clientResult.RemoteMasterSalt.ToArray(), serverResult.LocalMasterSalt.ToArray());

        client.Close();
        Assert.Equal(DtlsCloseReason.PeerCloseNotify, await serverClosed.Task.WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken));

        await stop.CancelAsync();
        await Task.WhenAll(clientLoop, serverLoop).WaitAsync(DtlsTestPair.TestTimeout, TestContext.Current.CancellationToken);
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    // What the media plane's receive loop does for DTLS datagrams (first byte 20..63, RFC 7983 §7).
    private static async Task ReceiveLoop(Socket socket, DtlsTransport transport, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SocketReceiveFromResult received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
                if (received.ReceivedBytes > 0 && buffer[0] is >= 20 and <= 63)
                {
                    _ = transport.EnqueueIncoming(buffer.AsSpan(0, received.ReceivedBytes));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private sealed class UdpSender(Socket socket, EndPoint remote) : IDtlsDatagramSender
    {
        public void Send(ReadOnlySpan<byte> datagram)
        {
            try
            {
                _ = socket.SendTo(datagram, SocketFlags.None, remote);
            }
            catch (SocketException)
            {
                // UDP is lossy anyway; DTLS retransmits.
            }
        }
    }
}
