using Sfu.Core.Rtp;

namespace Sfu.Core.Tests.Rtp;

public class AudioLevelTests
{
    [Theory]
    [InlineData("80", true, 0)]       // voice, 0 dBov (loudest)
    [InlineData("7F", false, 127)]    // no voice, -127 dBov (silence)
    [InlineData("AA", true, 42)]      // V=1, level 42
    [InlineData("2A 00", false, 42)]  // padded to two bytes: extra byte ignored
    public void Parses(string hex, bool voice, byte level)
    {
        Assert.True(AudioLevel.TryParse(Hex.Parse(hex), out bool v, out byte l));
        Assert.Equal(voice, v);
        Assert.Equal(level, l);
    }

    [Fact]
    public void Empty_value_is_rejected() => Assert.False(AudioLevel.TryParse([], out _, out _));
}
