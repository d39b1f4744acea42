namespace Sfu.Bots.Janus;

/// <summary>Janus refused a request: its own error, or the plugin's (error_code and error).</summary>
public sealed class JanusException : Exception
{
    public JanusException()
    {
    }

    public JanusException(string message)
        : base(message)
    {
    }

    public JanusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
