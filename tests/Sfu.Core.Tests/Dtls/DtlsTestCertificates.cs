using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

/// <summary>Certificates generated once per test run (generation is the slow part).</summary>
internal static class DtlsTestCertificates
{
    public static DtlsCertificate A { get; } = DtlsCertificate.Generate();

    public static DtlsCertificate B { get; } = DtlsCertificate.Generate();
}
