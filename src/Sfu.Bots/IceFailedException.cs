namespace Sfu.Bots;

/// <summary>No ICE candidate pair could be validated and nominated.</summary>
public sealed class IceFailedException : Exception
{
    public IceFailedException()
    {
    }

    public IceFailedException(string message)
        : base(message)
    {
    }

    public IceFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
