namespace Sfu.Core.Sessions;

/// <summary>
/// A signaling request that cannot be honoured (SDP that does not parse, an answer with no
/// offer pending, glare). The message is written for the client: it says what was wrong.
/// </summary>
public sealed class SignalingException : Exception
{
    public SignalingException()
    {
    }

    public SignalingException(string message)
        : base(message)
    {
    }

    public SignalingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
