using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

public class ActiveSpeakerDetectorTests
{
    /// <summary>
    /// Each row is a sequence of ticks "a=loudness b=loudness ..."; ticks are separated by '|'.
    /// The expected column is the dominant speaker after the last tick ("-" for none).
    /// </summary>
    [Theory]
    [InlineData("a=0 b=0", "-")]                                       // silence: nobody
    [InlineData("a=100 b=0", "a")]                                     // first voice takes the floor at once
    [InlineData("a=30 b=0", "-")]                                      // smoothed 15: below the speaking threshold
    [InlineData("a=30 b=0|a=30 b=0", "a")]                             // sustained quiet voice crosses it
    [InlineData("a=100 b=0|a=0 b=100", "a")]                           // one tick of a challenger is not enough
    [InlineData("a=100 b=0|a=0 b=100|a=0 b=100", "b")]                 // two ticks in a row are
    [InlineData("a=100 b=0|a=0 b=100|a=100 b=0|a=0 b=100", "a")]       // alternating never switches
    [InlineData("a=100 b=0|a=0 b=0|a=0 b=0|a=0 b=0", "a")]             // the last speaker stays while all are quiet
    [InlineData("a=100 b=100|a=100 b=104|a=100 b=104", "a")]           // a challenger within the margin does not switch
    [InlineData("a=100 b=0|b=0", "-")]                                 // the speaker left
    [InlineData("a=100 b=0|b=100", "b")]                               // the speaker left and another talks
    public void Dominant_speaker_follows_sustained_sound_with_hysteresis(string ticks, string expected)
    {
        var detector = new ActiveSpeakerDetector();
        foreach (string tick in ticks.Split('|'))
        {
            detector.Update(Parse(tick));
        }

        Assert.Equal(expected == "-" ? null : expected, detector.Dominant);
    }

    [Fact]
    public void Update_reports_only_changes()
    {
        var detector = new ActiveSpeakerDetector();

        Assert.False(detector.Update(Parse("a=0 b=0")));
        Assert.True(detector.Update(Parse("a=100 b=0")));
        Assert.False(detector.Update(Parse("a=100 b=0")));
        Assert.False(detector.Update(Parse("a=0 b=100")));
        Assert.True(detector.Update(Parse("a=0 b=100")));
        Assert.True(detector.Update(Parse("a=0")));
        Assert.Null(detector.Dominant);
    }

    private static List<SpeakerSample> Parse(string tick)
        => [.. tick.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(part =>
        {
            string[] pair = part.Split('=');
            return new SpeakerSample(pair[0], int.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture));
        })];
}
