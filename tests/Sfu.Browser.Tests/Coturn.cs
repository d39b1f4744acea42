using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sfu.Browser.Tests;

/// <summary>
/// Debian's coturn, started for one test on 127.0.0.1 with a shared secret (use-auth-secret),
/// relaying from a small port range of its own so a firewall rule can tell its traffic from a
/// browser's. Stopped and its files removed on dispose. With TLS it also listens for TURN over
/// TLS (RFC 5766 §2.1, "turns:" URLs of RFC 7065) with a self-signed certificate made for the run.
/// </summary>
internal sealed class Coturn : IAsyncDisposable
{
    /// <summary>The ports coturn relays from: outside Linux's ephemeral range (32768–60999), where browsers' sockets live.</summary>
    public const int RelayMinPort = 20000;

    public const int RelayMaxPort = 20099;

    private readonly Process process;
    private readonly string directory;

    private Coturn(Process process, string directory, int port, int tlsPort, string? spki, string secret)
    {
        CertificateSpki = spki;
        this.process = process;
        this.directory = directory;
        Port = port;
        TlsPort = tlsPort;
        Secret = secret;
    }

    /// <summary>The port for TURN over UDP and plain TCP.</summary>
    public int Port { get; }

    /// <summary>The port for TURN over TLS; 0 when started without TLS.</summary>
    public int TlsPort { get; }

    /// <summary>base64(SHA-256(SubjectPublicKeyInfo)) of the TLS certificate, as Chromium's --ignore-certificate-errors-spki-list takes it; null without TLS.</summary>
    public string? CertificateSpki { get; }

    public string Secret { get; }

    public static async Task<Coturn> StartAsync(bool tls = false)
    {
        string directory = Directory.CreateTempSubdirectory("sfu-coturn-").FullName;
        int port = FreeTcpPort();
        int tlsPort = tls ? FreeTcpPort() : 0;
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        (string tlsConfig, string? spki) = tls ? await WriteCertificateAsync(directory, tlsPort) : ("no-tls", null);
        string config = Path.Combine(directory, "turnserver.conf");
        await File.WriteAllTextAsync(config, $"""
            {tlsConfig}
            listening-ip=127.0.0.1
            relay-ip=127.0.0.1
            listening-port={port}
            min-port={RelayMinPort}
            max-port={RelayMaxPort}
            use-auth-secret
            static-auth-secret={secret}
            realm=sfu.test
            fingerprint
            no-dtls
            no-cli
            no-multicast-peers
            allow-loopback-peers
            userdb={Path.Combine(directory, "turndb")}
            pidfile={Path.Combine(directory, "turnserver.pid")}
            log-file=stdout
            simple-log
            """);
        var start = new ProcessStartInfo("turnserver")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("turnserver did not start (scripts/test.sh installs coturn)");
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var turn = new Coturn(process, directory, port, tlsPort, spki, secret);

        // Ready once it accepts TCP on its port.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(IPAddress.Loopback, tls ? tlsPort : port);
                return turn;
            }
            catch (SocketException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch
            {
                await turn.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// A self-signed ECDSA P-256 certificate for 127.0.0.1 (the address the browser dials), written
    /// as PEM where coturn reads it; returns the configuration lines for its TLS listener and the
    /// hash of the certificate's public key.
    /// </summary>
    private static async Task<(string Config, string Spki)> WriteCertificateAsync(string directory, int tlsPort)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string certPath = Path.Combine(directory, "cert.pem");
        string keyPath = Path.Combine(directory, "key.pem");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        string config = $"""
            tls-listening-port={tlsPort}
            cert={certPath}
            pkey={keyPath}
            """;
        return (config, Convert.ToBase64String(SHA256.HashData(key.ExportSubjectPublicKeyInfo())));
    }

    private static void Log(string? line)
    {
        if (line is not null && (line.Contains("ERROR", StringComparison.OrdinalIgnoreCase) || line.Contains("401", StringComparison.Ordinal)))
        {
            TestContext.Current.SendDiagnosticMessage("[coturn] " + line);
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
