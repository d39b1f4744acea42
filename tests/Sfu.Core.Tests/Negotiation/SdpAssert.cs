using System.Text.Json;
using Sfu.Core.Negotiation;

namespace Sfu.Core.Tests.Negotiation;

internal static class SdpAssert
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Deep structural equality: every public property, list element and record field.</summary>
    public static void Equivalent(SessionDescription expected, SessionDescription actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, Options), JsonSerializer.Serialize(actual, Options));

    public static SessionDescription Parse(string text)
    {
        SdpParseResult result = SdpParser.Parse(text);
        Assert.True(result.Success, result.Error);
        return result.Description;
    }
}
