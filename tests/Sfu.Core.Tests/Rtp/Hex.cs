namespace Sfu.Core.Tests.Rtp;

/// <summary>Test vectors are written as spaced hex so rows mirror the RFC diagrams.</summary>
internal static class Hex
{
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
