using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

/// <summary>Two transports wired back to back: client uses certificate A, server certificate B.</summary>
internal sealed class DtlsTestPair : IDisposable
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    public DtlsTestPair(
        DtlsTransportOptions? clientOptions = null,
        DtlsTransportOptions? serverOptions = null,
        string? clientExpects = null,
        string? serverExpects = null,
        DtlsTestLink? toServer = null,
        DtlsTestLink? toClient = null)
    {
        ToServer = toServer ?? new DtlsTestLink();
        ToClient = toClient ?? new DtlsTestLink();
        Client = new DtlsTransport(DtlsTestCertificates.A, DtlsRole.Client, "sha-256", clientExpects ?? DtlsTestCertificates.B.Fingerprint, ToServer, options: clientOptions);
        Server = new DtlsTransport(DtlsTestCertificates.B, DtlsRole.Server, "sha-256", serverExpects ?? DtlsTestCertificates.A.Fingerprint, ToClient, options: serverOptions);
        ToServer.Target = Server;
        ToClient.Target = Client;
    }

    public DtlsTransport Client { get; }

    public DtlsTransport Server { get; }

    public DtlsTestLink ToServer { get; }

    public DtlsTestLink ToClient { get; }

    public async Task<(DtlsHandshakeResult Client, DtlsHandshakeResult Server)> HandshakeAsync(bool serverFirst = true)
    {
        Task<DtlsHandshakeResult> server, client;
        if (serverFirst)
        {
            server = Server.HandshakeAsync();
            client = Client.HandshakeAsync();
        }
        else
        {
            client = Client.HandshakeAsync();
            server = Server.HandshakeAsync();
        }

        return (await client.WaitAsync(TestTimeout), await server.WaitAsync(TestTimeout));
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
