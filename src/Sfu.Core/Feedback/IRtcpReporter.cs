namespace Sfu.Core.Feedback;

/// <summary>A concern that speaks on its own schedule: receiver reports, sender reports.</summary>
public interface IRtcpReporter
{
    /// <summary>The report interval came round. Housekeeping thread.</summary>
    void Report(long now);
}
